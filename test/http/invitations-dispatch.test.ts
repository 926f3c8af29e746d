import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api.ts';
import { expectContractError } from '../support/contract.ts';

const api = useApi();
const DAY_MS = 86_400_000;

describe('POST /v1/invitations/dispatch', () => {
  it('answers what it did, as of now without a body', async () => {
    for (const body of [undefined, {}, { at: new Date(Date.now() - 60_000).toISOString() }]) {
      const res = await api.request('POST', '/v1/invitations/dispatch', { admin: true, body });
      expect(res.status).toBe(200);
      expect(Object.keys(res.body).sort()).toEqual(['deferred', 'expired', 'failed', 'reminded', 'sent', 'skipped']);
      for (const n of Object.values(res.body)) expect(Number.isInteger(n)).toBe(true);
    }
  });

  it('refuses an instant more than 30 days away, or not an instant, naming `at`', async () => {
    for (const at of [
      new Date(Date.now() + 31 * DAY_MS).toISOString(),
      new Date(Date.now() - 31 * DAY_MS).toISOString(),
      'tomorrow',
      '2026-11-28',
    ]) {
      const res = await api.request('POST', '/v1/invitations/dispatch', { admin: true, body: { at } });
      expectContractError(res, 400, 'validation_failed', 'at');
    }
    const unknown = await api.request('POST', '/v1/invitations/dispatch', { admin: true, body: { when: 'now' } });
    expectContractError(unknown, 400, 'validation_failed');
  });

  it('needs the admin token', async () => {
    expectContractError(await api.request('POST', '/v1/invitations/dispatch', { body: {} }), 401, 'unauthorized');
  });
});
