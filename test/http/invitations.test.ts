import { describe, expect, it } from 'vitest';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { keys } from '../../functions/data/keys.ts';
import { table, testDb, useApi } from '../support/api.ts';
import { expectContractError } from '../support/contract.ts';
import { givenCustomer, givenSurvey, uniqueId } from '../support/factories.ts';
import { watchTableWrites, writesNaming } from '../support/table-writes.ts';

const api = useApi();
const DAY = 86_400_000;

const invite = (surveyId: string, body: unknown) =>
  api.request('POST', `/v1/surveys/${surveyId}/invitations`, { admin: true, body });
const list = (surveyId: string, query = '') => api.request('GET', `/v1/surveys/${surveyId}/invitations${query}`, { admin: true });

async function unsubscribe(customerId: string) {
  await testDb().send(
    new UpdateCommand({
      TableName: table(),
      Key: keys.customer(customerId),
      UpdateExpression: 'SET unsubscribed = :true',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
}

const noSkips = { throttled: 0, recontact: 0, unsubscribed: 0, suppressed: 0, alreadyInvited: 0, unknownCustomer: 0 };

describe('POST /v1/surveys/{surveyId}/invitations', () => {
  it('schedules the customers the contact rules allow and counts the rest by reason', async () => {
    const surveyId = await givenSurvey(api);
    const [a, b, gone, invited] = await Promise.all([
      givenCustomer(api),
      givenCustomer(api),
      givenCustomer(api),
      givenCustomer(api),
    ]);
    await unsubscribe(gone);
    await invite(surveyId, { customerIds: [invited] });
    const unknown = uniqueId('c');

    const res = await invite(surveyId, { customerIds: [a, b, a, gone, invited, unknown] });

    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      scheduled: 2,
      skipped: { ...noSkips, unsubscribed: 1, alreadyInvited: 1, unknownCustomer: 1 },
      invitations: [
        { invitationId: expect.any(String), customerId: a, sendAt: expect.any(String) },
        { invitationId: expect.any(String), customerId: b, sendAt: expect.any(String) },
      ],
    });
    const items = (await list(surveyId)).body.items as Array<Record<string, unknown>>;
    expect(
      items
        .filter((i) => i.status === 'scheduled')
        .map((i) => i.customerId)
        .sort(),
    ).toEqual([a, b, invited].sort());
    expect(
      items
        .filter((i) => i.status === 'skipped')
        .map((i) => [i.customerId, i.reason, i.trigger])
        .sort(),
    ).toEqual(
      [
        [gone, 'unsubscribed', 'manual'],
        [invited, 'alreadyInvited', 'manual'],
      ].sort(),
    );
  });

  it('throttles a customer invited to another survey within surveyThrottleDays', async () => {
    const [first, second] = [await givenSurvey(api), await givenSurvey(api)];
    const customerId = await givenCustomer(api);
    await invite(first, { customerIds: [customerId] });

    const soon = await invite(second, { customerIds: [customerId], sendAt: new Date(Date.now() + 10 * DAY).toISOString() });
    const later = await invite(second, { customerIds: [customerId], sendAt: new Date(Date.now() + 31 * DAY).toISOString() });

    expect(soon.body).toMatchObject({ scheduled: 0, skipped: { throttled: 1 } });
    expect(later.body).toMatchObject({ scheduled: 1 });
  });

  it('skips a customer who answered within recontactDays', async () => {
    const surveyId = await givenSurvey(api, { recontactDays: 30 });
    const customerId = await givenCustomer(api);
    await api.request('POST', '/v1/responses', { admin: true, body: { surveyId, customerId, nps: 3 } });

    const res = await invite(surveyId, { customerIds: [customerId] });

    expect(res.body).toMatchObject({ scheduled: 0, skipped: { recontact: 1 } });
  });

  it('decides a dry run the same way and stores nothing', async () => {
    const surveyId = await givenSurvey(api);
    const [a, gone] = [await givenCustomer(api), await givenCustomer(api)];
    await unsubscribe(gone);

    const watch = await watchTableWrites();
    const res = await invite(surveyId, { customerIds: [a, gone], dryRun: true });

    expect(res.body).toMatchObject({ scheduled: 1, skipped: { ...noSkips, unsubscribed: 1 } });
    expect(res.body.invitations.map((i: { customerId: string }) => i.customerId)).toEqual([a]);
    expect(writesNaming(await watch.written(), [surveyId, a, gone])).toEqual([]);
  });

  it('keeps a later sendAt, and sends a past one now', async () => {
    const surveyId = await givenSurvey(api);
    const sendAt = new Date(Date.now() + 3 * DAY).toISOString();
    const before = Date.now();

    const later = await invite(surveyId, { customerIds: [await givenCustomer(api)], sendAt });
    const past = await invite(surveyId, {
      customerIds: [await givenCustomer(api)],
      sendAt: new Date(before - 3_600_000).toISOString(),
    });

    expect(later.body.invitations[0].sendAt).toBe(sendAt);
    expect(Date.parse(past.body.invitations[0].sendAt)).toBeGreaterThanOrEqual(before);
  });

  it.each([
    ['no customers', { customerIds: [] }, 'customerIds'],
    ['501 customers', { customerIds: Array.from({ length: 501 }, (_, i) => `c-${i}`) }, 'customerIds'],
    ['a malformed customer id', { customerIds: ['a b'] }, 'customerIds.0'],
    ['a sendAt more than a year ahead', { sendAt: new Date(Date.now() + 366 * DAY).toISOString() }, 'sendAt'],
    ['a sendAt two days back', { sendAt: new Date(Date.now() - 2 * DAY).toISOString() }, 'sendAt'],
    ['a dryRun that is not a boolean', { dryRun: 'yes' }, 'dryRun'],
    ['an unknown field', { surprise: true }, 'surprise'],
  ])('refuses %s with 400, storing nothing', async (_name, change, path) => {
    const surveyId = await givenSurvey(api);
    const customerId = await givenCustomer(api);

    const watch = await watchTableWrites();
    const res = await invite(surveyId, { customerIds: [customerId], ...change });

    expectContractError(res, 400, 'validation_failed', path);
    expect(writesNaming(await watch.written(), [surveyId, customerId])).toEqual([]);
  });

  it('answers 404 for an unknown survey and 401 without the token', async () => {
    expectContractError(await invite(uniqueId('s'), { customerIds: ['c-1'] }), 404, 'not_found');
    const res = await api.request('POST', `/v1/surveys/${uniqueId('s')}/invitations`, { body: { customerIds: ['c-1'] } });
    expectContractError(res, 401, 'unauthorized');
  });
});

describe('GET /v1/surveys/{surveyId}/invitations', () => {
  it('lists newest first, a page at a time, filtered by status', async () => {
    const surveyId = await givenSurvey(api);
    const customers: string[] = [];
    for (let i = 0; i < 5; i++) {
      const customerId = await givenCustomer(api);
      customers.push(customerId);
      await invite(surveyId, { customerIds: [customerId] });
    }
    const gone = await givenCustomer(api);
    await unsubscribe(gone);
    await invite(surveyId, { customerIds: [gone] });

    const first = await list(surveyId, '?limit=4');
    const second = await list(surveyId, `?limit=4&cursor=${first.body.nextCursor}`);
    const skipped = await list(surveyId, '?status=skipped');
    const scheduled = await list(surveyId, '?status=scheduled&limit=2');

    expect(first.status).toBe(200);
    expect(first.body.items.map((i: { customerId: string }) => i.customerId)).toEqual([gone, ...customers.slice(2).reverse()]);
    expect(second.body.items.map((i: { customerId: string }) => i.customerId)).toEqual(customers.slice(0, 2).reverse());
    expect(second.body.nextCursor).toBeUndefined();
    expect(skipped.body.items.map((i: { customerId: string }) => i.customerId)).toEqual([gone]);
    expect(scheduled.body.items.map((i: { customerId: string }) => i.customerId)).toEqual(customers.slice(3).reverse());
    expect(scheduled.body.nextCursor).toEqual(expect.any(String));
  });

  it('refuses a bad status or limit and a cursor that is not this listing’s', async () => {
    const surveyId = await givenSurvey(api);
    const other = await givenSurvey(api);
    for (const s of [surveyId, other]) {
      for (let i = 0; i < 2; i++) await invite(s, { customerIds: [await givenCustomer(api)] });
    }
    const foreign = (await list(other, '?limit=1')).body.nextCursor as string;

    expectContractError(await list(surveyId, '?status=lost'), 400, 'validation_failed', 'status');
    expectContractError(await list(surveyId, '?limit=0'), 400, 'validation_failed', 'limit');
    expectContractError(await list(surveyId, '?cursor=bm90LWEtY3Vyc29y'), 400, 'validation_failed', 'cursor');
    expectContractError(await list(surveyId, `?cursor=${foreign}`), 400, 'validation_failed', 'cursor');
    expect((await list(other, `?cursor=${foreign}`)).status).toBe(200);
  });

  it('answers 404 for an unknown survey and 401 without the token', async () => {
    expectContractError(await list(uniqueId('s')), 404, 'not_found');
    expectContractError(await api.request('GET', `/v1/surveys/${uniqueId('s')}/invitations`), 401, 'unauthorized');
  });
});
