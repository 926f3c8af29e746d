import { describe, expect, it } from 'vitest';
import { givenLink, givenSurvey, uniqueId } from '../support/factories.ts';
import { responsePartition, storedResponse, storedResponsesOf, useApi } from '../support/api.ts';
import { watchTableWrites, writesNaming } from '../support/table-writes.ts';
import { expectContractError } from '../support/contract.ts';

const api = useApi();

describe('POST /v1/responses', () => {
  it('accepts a linked answer once and replaces it on a later submission with the same link', async () => {
    const surveyId = await givenSurvey(api);
    const { token, customerId } = await givenLink(api, surveyId);

    const first = await api.request('POST', '/v1/responses', { body: { surveyId, token, nps: 9, comment: 'Great' } });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ surveyId, customerId });

    const second = await api.request('POST', '/v1/responses', { body: { surveyId, token, nps: 4 } });
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({ responseId: first.body.responseId, updated: true });

    const stored = await responsePartition(first.body.responseId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ nps: 4, version: 2 });
    expect(stored[0]!.comment).toBeUndefined();
  });

  it('replays the first answer for the same Idempotency-Key and body, byte for byte', async () => {
    const surveyId = await givenSurvey(api, { anonymous: true });
    const key = uniqueId('key');
    const body = { surveyId, nps: 10 };
    const first = await api.request('POST', '/v1/responses', { body, headers: { 'idempotency-key': key } });
    const again = await api.request('POST', '/v1/responses', { body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.text).toBe(first.text);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(first.headers.get('idempotent-replayed')).toBeNull();

    const other = await api.request('POST', '/v1/responses', { body: { surveyId, nps: 3 }, headers: { 'idempotency-key': key } });
    expect(other.status).toBe(422);
    expect(other.body.error.code).toBe('idempotency_key_reused');
    const stored = await storedResponsesOf(surveyId);
    expect(stored).toHaveLength(1);
  });

  it('stores one response for concurrent duplicates with one Idempotency-Key', async () => {
    const surveyId = await givenSurvey(api, { anonymous: true });
    const key = uniqueId('key');
    const replies = await Promise.all(
      Array.from({ length: 8 }, () =>
        api.request('POST', '/v1/responses', { body: { surveyId, csat: 5 }, headers: { 'idempotency-key': key } }),
      ),
    );
    const statuses = replies.map((r) => r.status);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses).toContain(201);
    const ids = new Set(replies.filter((r) => r.status === 201).map((r) => r.body.responseId));
    expect(ids.size).toBe(1);
    const stored = await storedResponsesOf(surveyId);
    expect(stored).toHaveLength(1);
  });

  it("keeps each caller's Idempotency-Keys apart: a public caller cannot occupy or replay an admin import's key", async () => {
    const surveyId = await givenSurvey(api, { anonymous: true });
    const key = uniqueId('key');
    const publicFirst = await api.request('POST', '/v1/responses', {
      body: { surveyId, nps: 0 },
      headers: { 'idempotency-key': key },
    });
    expect(publicFirst.status).toBe(201);

    const customerId = uniqueId('c');
    const importBody = { surveyId, customerId, nps: 10, submittedAt: '2026-01-05T08:30:00Z' };
    const admin = await api.request('POST', '/v1/responses', {
      admin: true,
      body: importBody,
      headers: { 'idempotency-key': key },
    });
    expect(admin.status).toBe(201);
    expect(admin.headers.get('idempotent-replayed')).toBeNull();
    expect(admin.body.responseId).not.toBe(publicFirst.body.responseId);
    expect(await storedResponse(admin.body.responseId)).toMatchObject({ customerId, nps: 10 });

    // The reverse: an admin's key first, then a public caller with it and another body.
    const adminKey = uniqueId('key');
    const adminFirst = await api.request('POST', '/v1/responses', {
      admin: true,
      body: importBody,
      headers: { 'idempotency-key': adminKey },
    });
    expect(adminFirst.status).toBe(201);
    const publicAfter = await api.request('POST', '/v1/responses', {
      body: { surveyId, nps: 3 },
      headers: { 'idempotency-key': adminKey },
    });
    expect(publicAfter.status).toBe(201);
    expect(publicAfter.headers.get('idempotent-replayed')).toBeNull();
    expect(publicAfter.body.responseId).not.toBe(adminFirst.body.responseId);

    // Each caller still replays its own key.
    const adminAgain = await api.request('POST', '/v1/responses', {
      admin: true,
      body: importBody,
      headers: { 'idempotency-key': adminKey },
    });
    expect(adminAgain.text).toBe(adminFirst.text);
    expect(adminAgain.headers.get('idempotent-replayed')).toBe('true');
    expect(await storedResponsesOf(surveyId)).toHaveLength(4);
  });

  it("keeps one link's customer's keys apart from another's and from anonymous callers", async () => {
    const surveyId = await givenSurvey(api, { anonymous: true });
    const key = uniqueId('key');
    const [first, second] = [await givenLink(api, surveyId), await givenLink(api, surveyId)];
    const send = (body: Record<string, unknown>) =>
      api.request('POST', '/v1/responses', { body, headers: { 'idempotency-key': key } });
    expect((await send({ surveyId, token: first.token, nps: 9 })).status).toBe(201);
    const other = await send({ surveyId, token: second.token, nps: 2 });
    expect(other.status).toBe(201);
    expect(other.body.customerId).toBe(second.customerId);
    expect((await send({ surveyId, nps: 5 })).status).toBe(201);
    const again = await send({ surveyId, token: first.token, nps: 9 });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect((await send({ surveyId, token: first.token, nps: 1 })).status).toBe(422);
  });

  it('lets the admin import history with a customerId and a past submittedAt', async () => {
    const surveyId = await givenSurvey(api);
    const customerId = uniqueId('c');
    const res = await api.request('POST', '/v1/responses', {
      admin: true,
      body: { surveyId, customerId, nps: 7, submittedAt: '2025-03-01T10:00:00Z' },
    });
    expect(res.status).toBe(201);
    const stored = await storedResponse(res.body.responseId);
    expect(stored).toMatchObject({ customerId, submittedAt: '2025-03-01T10:00:00.000Z' });
  });
});

describe('POST /v1/responses: who may answer', () => {
  const submit = (body: Record<string, unknown>, admin = false) => api.request('POST', '/v1/responses', { body, admin });
  const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

  it('accepts an answer to an anonymous survey without a token, naming nobody', async () => {
    const surveyId = await givenSurvey(api, { anonymous: true });

    const res = await submit({ surveyId, nps: 10, channel: 'web', attributes: { plan: 'free' } });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      responseId: expect.any(String),
      surveyId,
      customerId: null,
      receivedAt: expect.stringMatching(ISO),
    });
    const stored = await storedResponse(res.body.responseId);
    expect(stored).toMatchObject({
      surveyId,
      nps: 10,
      channel: 'web',
      attributes: { plan: 'free' },
      submittedAt: res.body.receivedAt,
    });
    expect(stored).not.toHaveProperty('customerId');
  });

  it('names the customer of a token sent to an anonymous survey', async () => {
    const surveyId = await givenSurvey(api, { anonymous: true });
    const { token, customerId } = await givenLink(api, surveyId);
    const res = await submit({ surveyId, token, csat: 4 });
    expect(res.status).toBe(201);
    expect(res.body.customerId).toBe(customerId);
  });

  it('lets the admin import an answer without naming a customer', async () => {
    const surveyId = await givenSurvey(api);
    const res = await submit({ surveyId, ces: 3, submittedAt: '2026-01-05T08:30:00+02:00' }, true);
    expect(res.status).toBe(201);
    expect(res.body.customerId).toBeNull();
    const stored = await storedResponse(res.body.responseId);
    expect(stored).toMatchObject({ ces: 3, submittedAt: '2026-01-05T06:30:00.000Z' });
  });

  it('keeps a comment in any script, with emoji and bidi characters, as sent', async () => {
    const surveyId = await givenSurvey(api);
    const { token } = await givenLink(api, surveyId);
    const comment = 'Отлично 👍🏽 — çok iyi! \u202Eעברית\u202C\n\ttab';
    const res = await submit({ surveyId, token, nps: 9, comment });
    expect(res.status).toBe(201);
    const stored = await storedResponse(res.body.responseId);
    expect(stored!.comment).toBe(comment);
  });

  it.each([
    ['no token for a survey that is not anonymous', () => ({})],
    ["another survey's token", (other: string) => ({ token: other })],
    ['a customerId that differs from the token', (_other: string, own: string) => ({ token: own, customerId: uniqueId('c') })],
    ['a customerId without a token or the admin token', () => ({ customerId: uniqueId('c') })],
  ])('answers 403 invalid_token for %s, storing nothing', async (_name, fields) => {
    const surveyId = await givenSurvey(api);
    const otherSurveyId = await givenSurvey(api);
    const own = await givenLink(api, surveyId);
    const other = await givenLink(api, otherSurveyId, own.customerId);

    const watch = await watchTableWrites();
    const res = await submit({ surveyId, nps: 5, ...fields(other.token, own.token) });

    expectContractError(res, 403, 'invalid_token');
    expect(writesNaming(await watch.written(), [surveyId])).toEqual([]);
    expect(await storedResponsesOf(surveyId)).toEqual([]);
  });
});
