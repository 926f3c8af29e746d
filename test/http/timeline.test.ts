import { beforeAll, describe, expect, it } from 'vitest';
import { claimEmail, recordEmailOutcome, suppressCustomer, unsubscribeCustomer } from '../../functions/data/mail-ledger.ts';
import { table, testDb, useApi } from '../support/api.ts';
import { bearer, givenKey } from '../support/api-keys.ts';
import { expectContractError } from '../support/contract.ts';
import { aCustomer, givenCustomer, givenSurvey, uniqueId } from '../support/factories.ts';

const api = useApi();
const db = () => ({ client: testDb(), table: table() });

/** An instant `minutes` after a fixed past morning: the timeline's order is the test's to choose. */
const at = (minutes: number) => new Date(Date.parse('2026-01-05T09:00:00.000Z') + minutes * 60_000).toISOString();

const answer = (surveyId: string, customerId: string, minutes: number, answers: Record<string, unknown>) =>
  api.request('POST', '/v1/responses', {
    admin: true,
    body: { surveyId, customerId, submittedAt: at(minutes), ...answers },
  });

const event = (customerId: string, minutes: number, eventId = uniqueId('ev')) =>
  api.request('POST', '/v1/events', {
    admin: true,
    body: { eventId, customerId, type: 'purchase', occurredAt: at(minutes), properties: { orderId: '1001' } },
  });

async function sentEmail(customerId: string, email: string, minutes: number, campaignId = 'thanks') {
  const claim = {
    customerId,
    email,
    stream: campaignId,
    period: at(minutes).slice(0, 10),
    runId: uniqueId('run'),
    rules: { stream: campaignId, periodDays: 1, capDays: 0 },
    runDate: at(minutes).slice(0, 10),
    subject: 'Thank you',
    language: 'en',
    now: at(minutes),
  };
  expect(await claimEmail(db(), claim)).toBe(true);
  await recordEmailOutcome(db(), claim, { status: 'sent', messageId: uniqueId('m'), sentAt: at(minutes) });
}

const timeline = (customerId: string, query = '') =>
  api.request('GET', `/v1/customers/${encodeURIComponent(customerId)}/timeline${query}`, { admin: true });

/** Every page of the timeline at `limit` a page, concatenated. */
async function everyPage(customerId: string, limit: number) {
  const items: any[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 50; pages++) {
    const res = await timeline(customerId, `?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    expect(res.status, res.text).toBe(200);
    items.push(...res.body.items);
    cursor = res.body.nextCursor;
    if (!cursor) return items;
  }
  throw new Error('the timeline did not end');
}

describe('GET /v1/customers/{customerId}/timeline', () => {
  let surveyId: string;
  let customerId: string;
  let email: string;

  beforeAll(async () => {
    surveyId = await givenSurvey(api);
    email = `${uniqueId('tl')}@example.com`;
    customerId = await givenCustomer(api, { email });
    // Oldest to newest: promoter, promoter, an event, a CSAT-only answer, detractor (and an email at that instant),
    // an email, passive, an invitation (now), the unsubscribe (now).
    for (const [minutes, answers] of [
      [0, { nps: 10 }],
      [10, { nps: 9, comment: 'still great' }],
      [30, { csat: 4 }],
      [40, { nps: 3, comment: 'it broke' }],
      [60, { nps: 8 }],
    ] as const) {
      expect((await answer(surveyId, customerId, minutes, answers)).status).toBe(201);
    }
    expect((await event(customerId, 20, 'ord-1')).status).toBe(201);
    await sentEmail(customerId, email, 40, 'detractor-followup');
    await sentEmail(customerId, email, 50);
    const invited = await api.request('POST', `/v1/surveys/${surveyId}/invitations`, {
      admin: true,
      body: { customerIds: [customerId] },
    });
    expect(invited.body.scheduled, invited.text).toBe(1);
    expect(await unsubscribeCustomer(db(), customerId, new Date(Date.now() + 1000).toISOString())).toBe(true);
  });

  it('lists every interaction, newest first, with the NPS class changes', async () => {
    const res = await timeline(customerId);

    expect(res.status).toBe(200);
    expect(res.body.nextCursor).toBeUndefined();
    const shape = res.body.items.map((i: any) => [i.kind, i.nps ?? i.campaignId ?? i.type ?? i.reason ?? i.status]);
    expect(shape).toEqual([
      ['unsubscribe', 'unsubscribed'],
      ['invitation', 'scheduled'],
      ['response', 8],
      ['email', 'thanks'],
      ['response', 3],
      ['email', 'detractor-followup'],
      ['response', undefined],
      ['event', 'purchase'],
      ['response', 9],
      ['response', 10],
    ]);
    const responses = res.body.items.filter((i: any) => i.kind === 'response');
    expect(responses.map((r: any) => r.changed)).toEqual([
      { from: 'detractor', to: 'passive' },
      { from: 'promoter', to: 'detractor' },
      undefined,
      undefined,
      undefined,
    ]);
    expect(responses[1]).toMatchObject({ at: at(40), surveyId, nps: 3, comment: 'it broke', submittedAt: at(40) });
    expect(responses[1].customerId).toBeUndefined();
    const [, invitation, , sent] = res.body.items;
    expect(invitation).toMatchObject({ surveyId, trigger: 'manual', status: 'scheduled', at: invitation.createdAt });
    expect(sent).toMatchObject({ at: at(50), status: 'sent', subject: 'Thank you', sentAt: at(50) });
    expect(res.body.items.find((i: any) => i.kind === 'event')).toEqual({
      at: at(20),
      kind: 'event',
      eventId: 'ord-1',
      type: 'purchase',
      properties: { orderId: '1001' },
      receivedAt: expect.any(String),
    });
  });

  it.each([1, 2, 3, 4])('pages of %i give the same list, `changed` right across every page boundary', async (limit) => {
    const whole = (await timeline(customerId)).body.items;
    expect(await everyPage(customerId, limit)).toEqual(whole);
  });

  it('marks a change on the first item of a page against the previous page-crossing answer', async () => {
    // Page 1 ends with the passive answer; page 2 starts with the detractor one, whose previous NPS answer lies
    // past a CSAT-only answer and an event, further back than the page reads.
    const first = await timeline(customerId, '?limit=3');
    const second = await timeline(customerId, `?limit=1&cursor=${first.body.nextCursor}`);
    const third = await timeline(customerId, `?limit=1&cursor=${second.body.nextCursor}`);
    expect(first.body.items.at(-1)).toMatchObject({ kind: 'response', nps: 8, changed: { from: 'detractor', to: 'passive' } });
    expect(third.body.items).toEqual([
      expect.objectContaining({ kind: 'response', nps: 3, changed: { from: 'promoter', to: 'detractor' } }),
    ]);
  });

  it('orders items of one instant the same way on every page', async () => {
    const id = await givenCustomer(api);
    expect((await answer(surveyId, id, 5, { nps: 2 })).status).toBe(201);
    expect((await event(id, 5)).status).toBe(201);
    expect((await event(id, 5)).status).toBe(201);
    expect((await answer(surveyId, id, 5, { nps: 10 })).status).toBe(201);

    const whole = (await timeline(id)).body.items;
    expect(whole).toHaveLength(4);
    expect(whole.map((i: any) => i.kind)).toEqual(['response', 'response', 'event', 'event']);
    expect(await everyPage(id, 1)).toEqual(whole);
    expect(whole.filter((i: any) => i.changed)).toHaveLength(1);
  });

  it('is empty for a customer with no history', async () => {
    const id = await givenCustomer(api, aCustomer());
    expect((await timeline(id)).body).toEqual({ items: [] });
  });

  it('shows a bounce as the address stopping, for every customer with the address', async () => {
    const address = `${uniqueId('bounced')}@example.com`;
    const bounced = await givenCustomer(api, { email: address });
    const sharing = await givenCustomer(api, { email: address.toUpperCase() });
    expect(await suppressCustomer(db(), bounced, 'bounce', at(90))).toBe(true);

    for (const id of [bounced, sharing]) {
      expect((await timeline(id)).body.items).toEqual([{ at: at(90), kind: 'unsubscribe', reason: 'bounce' }]);
    }
  });

  it('answers a read key, refuses an ingest key', async () => {
    const read = await givenKey(api, ['read']);
    const ingest = await givenKey(api, ['ingest']);
    const path = `/v1/customers/${customerId}/timeline?limit=2`;
    const ok = await api.request('GET', path, { headers: bearer(read.secret) });
    expect(ok.status).toBe(200);
    expect(ok.body.items).toHaveLength(2);
    expectContractError(await api.request('GET', path, { headers: bearer(ingest.secret) }), 403, 'forbidden');
  });

  it('answers 404 for an unknown customer', async () => {
    expectContractError(await timeline(uniqueId('nobody')), 404, 'not_found');
  });

  it.each([
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?limit=x', 'limit'],
    ['?cursor=not-a-cursor', 'cursor'],
    [`?cursor=${Buffer.from(JSON.stringify(['2026-01-01', 'response', 'x'])).toString('base64url')}`, 'cursor'],
    [`?cursor=${Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'note', 'x'])).toString('base64url')}`, 'cursor'],
  ])('answers 400 for %s', async (query, path) => {
    expectContractError(await timeline(customerId, query), 400, 'validation_failed', path);
  });
});
