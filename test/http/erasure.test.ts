import { describe, expect, it } from 'vitest';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beginErasure, eraseSome } from '../../functions/data/erasure.ts';
import {
  customerEventsPartition,
  customerInvitationsPartition,
  keys,
  surveyInvitationsPartition,
  timelineIndex,
} from '../../functions/data/keys.ts';
import { differences, recountScores, storedScores } from '../../functions/data/score-recount.ts';
import { getItem, itemsInPartition, storedResponsesOf, table, testDb, useApi } from '../support/api.ts';
import { expectContractError } from '../support/contract.ts';
import { givenCustomer, givenLink, givenSurvey, uniqueId } from '../support/factories.ts';
import { useScoringStack, within } from '../support/scoring-stack.ts';

const scoring = useScoringStack();
const api = useApi();
const db = () => ({ client: testDb(), table: table() });

const admin = (method: string, path: string, body?: unknown) => api.request(method, path, { admin: true, body });
const scores = async (surveyId: string) => (await admin('GET', `/v1/surveys/${surveyId}/scores?interval=total`)).body.total;
const erasure = (customerId: string) => getItem(keys.erasure(customerId).pk, keys.erasure(customerId).sk);

async function onIndex(index: 'gsi1' | 'gsi2', partition: string) {
  const { Items } = await testDb().send(
    new QueryCommand({
      TableName: table(),
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk`,
      ExpressionAttributeValues: { ':pk': partition },
    }),
  );
  return Items ?? [];
}

/** Every item about the customer, found by each index and partition that names them (not through the API). */
async function itemsAbout(customerId: string) {
  const [partition, responses, invitations, events] = await Promise.all([
    itemsInPartition(keys.customer(customerId).pk),
    onIndex('gsi2', timelineIndex(customerId, '', '').gsi2pk),
    onIndex('gsi2', customerInvitationsPartition(customerId)),
    onIndex('gsi2', customerEventsPartition(customerId)),
  ]);
  return { partition, responses, invitations, events };
}

/** A customer with something of every kind: a link's response with a comment, imports, an email, an invitation, an event. */
async function givenCustomerWithHistory(surveyId: string, email = `${uniqueId('p')}@example.com`) {
  const customerId = await givenCustomer(api, { email });
  const { token } = await givenLink(api, surveyId, customerId);
  const linked = await api.request('POST', '/v1/responses', { body: { surveyId, token, nps: 2, comment: 'Too slow.' } });
  expect(linked.status).toBe(201);
  for (const nps of [10, 9]) {
    expect((await admin('POST', '/v1/responses', { surveyId, customerId, nps, comment: `score ${nps}` })).status).toBe(201);
  }
  expect((await admin('POST', `/v1/surveys/${surveyId}/invitations`, { customerIds: [customerId] })).status).toBe(200);
  expect((await admin('POST', '/v1/events', { eventId: uniqueId('e'), customerId, type: uniqueId('t') })).status).toBe(201);
  // An appreciation email, as the mail pipeline records it, and the address's opt-out.
  await testDb().send(
    new PutCommand({
      TableName: table(),
      Item: {
        ...keys.emailLedger(customerId, 'thank-you', '2026-11'),
        type: 'email',
        to: email,
        status: 'sent',
        sentAt: '2026-11-02T10:00:00.000Z',
      },
    }),
  );
  await testDb().send(
    new PutCommand({
      TableName: table(),
      Item: { ...keys.address(email), type: 'address', unsubscribed: true, unsubscribedAt: '2026-11-03T10:00:00.000Z' },
    }),
  );
  return { customerId, token, email };
}

/** Waits for the erasure to finish (it runs after the 202), and fails plainly if it does not. */
async function erased(customerId: string) {
  const { value, passed } = await within(
    180_000,
    () => erasure(customerId),
    (item) => item?.status === 'erased',
  );
  expect(passed, `no erasure finished within 180 s: ${JSON.stringify(value)}`).toBe(true);
  return value;
}

describe('GET /v1/customers/{customerId}/export', () => {
  it('answers everything held about the customer: profile, responses with comments, emails, invitations, events', async () => {
    const surveyId = await givenSurvey(api);
    const { customerId, email } = await givenCustomerWithHistory(surveyId);

    const res = await admin('GET', `/v1/customers/${customerId}/export`);

    expect(res.status).toBe(200);
    expect(res.body.customer).toMatchObject({ customerId, email, unsubscribed: true });
    expect(res.body.responses.map((r: { comment: string }) => r.comment).sort()).toEqual(['Too slow.', 'score 10', 'score 9']);
    expect(res.body.emails).toEqual([expect.objectContaining({ to: email, status: 'sent' })]);
    expect(res.body.invitations).toEqual([expect.objectContaining({ customerId, surveyId })]);
    // As POST /v1/events took it (type, not the stored eventType), without what is kept only for replays.
    expect(res.body.events).toEqual([
      {
        eventId: expect.any(String),
        customerId,
        type: expect.stringMatching(/^t-/),
        occurredAt: expect.any(String),
        receivedAt: expect.any(String),
      },
    ]);
    expect(res.body.inviteState).toEqual(expect.objectContaining({ lastInvitedAt: expect.any(String) }));
    expect(JSON.stringify(res.body)).not.toMatch(/"(pk|sk|gsi\dpk)"/);
  });

  it('reads every page: all of 130 responses, not the latest 100', { timeout: 120_000 }, async () => {
    const surveyId = await givenSurvey(api);
    const customerId = await givenCustomer(api);
    for (let i = 0; i < 130; i += 10) {
      await Promise.all(Array.from({ length: 10 }, () => admin('POST', '/v1/responses', { surveyId, customerId, nps: 8 })));
    }
    const res = await admin('GET', `/v1/customers/${customerId}/export`);
    expect(res.body.responses).toHaveLength(130);
  });

  it('is 404 for an unknown customer', async () => {
    expectContractError(await admin('GET', `/v1/customers/${uniqueId('c')}/export`), 404, 'not_found');
  });
});

describe('DELETE /v1/customers/{customerId}', () => {
  it('erases every item about the customer, moves the scores back and keeps the opt-out as a hash only', async () => {
    const surveyId = await givenSurvey(api);
    // Another customer's answer stays: the scores go back to it alone.
    const other = await givenCustomer(api);
    expect((await admin('POST', '/v1/responses', { surveyId, customerId: other, nps: 8 })).status).toBe(201);
    await scoring.drained();
    const alone = await scores(surveyId);
    expect(alone).toMatchObject({ responses: 1 });
    const { customerId, token, email } = await givenCustomerWithHistory(surveyId);
    await scoring.drained();
    expect(await scores(surveyId)).toMatchObject({ responses: 4 });

    const res = await admin('DELETE', `/v1/customers/${customerId}`);

    expect(res.status).toBe(202);
    expect(res.body).toEqual({ customerId, status: 'erasing' });
    expectContractError(await admin('GET', `/v1/customers/${customerId}`), 404, 'not_found');
    await erased(customerId);
    await scoring.drained(); // the scorer has taken out what the erasure deleted
    const after = await scores(surveyId);

    expect(await itemsAbout(customerId)).toEqual({ partition: [], responses: [], invitations: [], events: [] });
    expect((await storedResponsesOf(surveyId)).map((r) => r.customerId)).toEqual([other]);
    expect((await onIndex('gsi1', surveyInvitationsPartition(surveyId))).map((i) => i.customerId)).not.toContain(customerId);
    expect(after).toEqual(alone);
    const { buckets } = await recountScores(db(), { surveyIds: [surveyId] });
    expect(differences(buckets, await storedScores(db(), { surveyId }))).toEqual([]);
    expectContractError(await admin('GET', `/v1/customers/${customerId}/export`), 404, 'not_found');
    const listed = await admin('GET', `/v1/surveys/${surveyId}/responses`);
    expect(JSON.stringify(listed.body)).not.toContain(customerId);

    // The opt-out stays with the address's hash; the erasure mark holds neither the id nor the address.
    const address = await getItem(keys.address(email).pk, keys.address(email).sk);
    expect(address).toMatchObject({ unsubscribed: true });
    expect(JSON.stringify([address, await erasure(customerId)])).not.toMatch(new RegExp(`${customerId}|${email}`));

    // The customer's old link stores nothing: 404, and no response comes back.
    const late = await api.request('POST', '/v1/responses', { body: { surveyId, token, nps: 10 } });
    expectContractError(late, 404, 'not_found');
    expect((await itemsAbout(customerId)).responses).toEqual([]);
    expect((await storedResponsesOf(surveyId)).map((r) => r.customerId)).toEqual([other]);
  });

  it('is 404 for an unknown customer, and for one already erased', async () => {
    expectContractError(await admin('DELETE', `/v1/customers/${uniqueId('c')}`), 404, 'not_found');
    const customerId = await givenCustomer(api);
    expect((await admin('DELETE', `/v1/customers/${customerId}`)).status).toBe(202);
    await erased(customerId);
    expectContractError(await admin('DELETE', `/v1/customers/${customerId}`), 404, 'not_found');
  });

  it('finishes an erasure interrupted half-way when the DELETE is sent again', async () => {
    const surveyId = await givenSurvey(api);
    const { customerId } = await givenCustomerWithHistory(surveyId);
    // The first attempt deletes the profile and one page (the responses), then its invocation dies.
    expect(await beginErasure(db(), customerId, Date.now())).toBe('erasing');
    expect((await eraseSome(db(), customerId, 0)).done).toBe(false);
    const half = await itemsAbout(customerId);
    expect(half.responses).toEqual([]);
    expect(half.invitations.length + half.events.length + half.partition.length).toBeGreaterThan(0);
    expectContractError(await admin('GET', `/v1/customers/${customerId}`), 404, 'not_found');

    const again = await admin('DELETE', `/v1/customers/${customerId}`);

    expect(again.status).toBe(202);
    await erased(customerId);
    expect(await itemsAbout(customerId)).toEqual({ partition: [], responses: [], invitations: [], events: [] });
  });

  // Its time is printed, not asserted (a timed test flakes on a shared machine): the figure is in the note.
  it('erases a customer with 1,000 responses, the scores following', { timeout: 480_000 }, async () => {
    const surveyId = await givenSurvey(api);
    const customerId = await givenCustomer(api);
    for (let i = 0; i < 1_000; i += 5) {
      const batch = Array.from({ length: 5 }, () => admin('POST', '/v1/responses', { surveyId, customerId, nps: 9 }));
      for (const res of await Promise.all(batch)) expect(res.status).toBe(201);
    }
    await scoring.drained();
    expect(await scores(surveyId)).toMatchObject({ responses: 1_000 });

    const started = Date.now();
    expect((await admin('DELETE', `/v1/customers/${customerId}`)).status).toBe(202);
    await erased(customerId);
    const deletedMs = Date.now() - started;
    await scoring.drained();
    const moved = await scores(surveyId);
    const doneMs = Date.now() - started;
    console.info(`erasure of 1,000 responses: items deleted in ${deletedMs} ms, scores back to 0 in ${doneMs} ms`);

    expect((await itemsAbout(customerId)).responses).toEqual([]);
    expect(moved?.responses ?? 0).toBe(0);
    const { buckets } = await recountScores(db(), { surveyIds: [surveyId] });
    expect(differences(buckets, await storedScores(db(), { surveyId }))).toEqual([]);
  });
});
