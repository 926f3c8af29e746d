import { describe, expect, it } from 'vitest';
import { decide, normaliseAddress, type Eligibility } from '../../functions/core/mail/policy.ts';

/** The contact policy with the address as the unit of contact: what an address knows stops every customer with it. */
const eligibility = (overrides: Partial<Eligibility> = {}): Eligibility => ({
  customer: { unsubscribed: false },
  rules: { stream: 'promoter-thanks', periodDays: 1, capDays: 7 },
  runDate: '2026-11-24',
  now: '2026-11-24T09:00:00.000Z',
  runId: 'run-1',
  ...overrides,
});

const clean = { unsubscribed: false, suppressed: false };

describe('decide, per address', () => {
  it('sends when neither the customer nor their address stops it', () => {
    expect(decide(eligibility({ address: clean }))).toEqual({ kind: 'send' });
    expect(decide(eligibility())).toEqual({ kind: 'send' }); // an address nobody wrote to yet
  });

  it.each([
    ['an unsubscribed address', { ...clean, unsubscribed: true }, 'unsubscribed'],
    ['a suppressed address', { ...clean, suppressed: true }, 'suppressed'],
    [
      'an address mailed this period (by another customer)',
      { ...clean, state: { lastOn: { 'promoter-thanks': '2026-11-24' } } },
      'alreadySent',
    ],
    [
      'an address mailed within the cap (another stream)',
      { ...clean, state: { lastSentAt: '2026-11-20T09:00:00.000Z', lastOn: { birthday: '2026-11-20' } } },
      'frequencyCap',
    ],
  ] as const)('skips a customer with %s', (_, address, reason) => {
    expect(decide(eligibility({ address }))).toEqual({ kind: 'skip', reason });
  });

  it('holds the customer’s own windows and flags too', () => {
    const state = { lastSentAt: '2026-11-23T09:00:00.000Z', lastOn: {} };
    expect(decide(eligibility({ address: clean, state }))).toEqual({ kind: 'skip', reason: 'frequencyCap' });
    expect(decide(eligibility({ address: clean, customer: { unsubscribed: true } }))).toEqual({
      kind: 'skip',
      reason: 'unsubscribed',
    });
  });

  it('an address’s windows past the period and the cap free it again', () => {
    const state = { lastSentAt: '2026-11-16T09:00:00.000Z', lastOn: { 'promoter-thanks': '2026-11-16' } };
    expect(decide(eligibility({ address: { ...clean, state } }))).toEqual({ kind: 'send' });
  });

  it('normalises an address by case and surrounding spaces only', () => {
    expect(normaliseAddress(' Ayse.Yilmaz@Example.COM ')).toBe('ayse.yilmaz@example.com');
    expect(normaliseAddress('a+b@example.com')).not.toBe(normaliseAddress('a@example.com'));
  });
});
