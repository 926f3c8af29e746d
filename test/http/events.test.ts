import { describe, expect, it } from 'vitest';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isSampled } from '../../functions/core/invitations/rules.ts';
import { customerEventsPartition, keys } from '../../functions/data/keys.ts';
import { getItem, storedCustomer, table, testDb, useApi } from '../support/api.ts';
import { expectContractError } from '../support/contract.ts';
import { aCustomer, givenCustomer, givenSurvey, uniqueId } from '../support/factories.ts';
import { watchTableWrites, writesNaming } from '../support/table-writes.ts';

const api = useApi();
const HOUR = 3_600_000;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** An event type of its own per test: surveys of other tests never trigger on it. */
const anEventType = () => uniqueId('purchase');

const postEvent = (body: unknown) => api.request('POST', '/v1/events', { admin: true, body });

/** A survey that invites on `type`, with invite settings overridden. */
const givenTriggeredSurvey = (type: string, invite: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) =>
  givenSurvey(api, { invite: { on: [type], ...invite }, ...overrides });

const invitationsOf = async (surveyId: string, query = '') =>
  (await api.request('GET', `/v1/surveys/${surveyId}/invitations${query}`, { admin: true })).body.items as Array<
    Record<string, unknown>
  >;

async function eventsOf(customerId: string) {
  const { Items = [] } = await testDb().send(
    new QueryCommand({
      TableName: table(),
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': customerEventsPartition(customerId) },
    }),
  );
  return Items;
}

describe('POST /v1/events', () => {
  it('records the event on the timeline and schedules the invitation delayHours after it', async () => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type, { delayHours: 24 });
    const customerId = await givenCustomer(api);
    const eventId = uniqueId('ord');
    const occurredAt = new Date(Date.now() - HOUR).toISOString();

    const res = await postEvent({
      eventId,
      customerId,
      type,
      occurredAt,
      properties: { orderId: '1001', total: 42, gift: false },
    });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      eventId,
      customerId,
      type,
      occurredAt,
      invitations: [
        { invitationId: expect.any(String), surveyId, sendAt: new Date(Date.parse(occurredAt) + 24 * HOUR).toISOString() },
      ],
    });
    const [event] = await eventsOf(customerId);
    expect(event).toMatchObject({
      eventId,
      eventType: type,
      occurredAt,
      properties: { orderId: '1001', total: 42, gift: false },
    });
    const [invitation] = await invitationsOf(surveyId);
    expect(invitation).toEqual({
      invitationId: res.body.invitations[0].invitationId,
      surveyId,
      customerId,
      trigger: `event:${type}`,
      status: 'scheduled',
      sendAt: res.body.invitations[0].sendAt,
      createdAt: expect.stringMatching(ISO),
      eventId,
    });
    const history = await api.request('GET', `/v1/customers/${customerId}`, { admin: true });
    expect(history.body.invitations).toEqual([invitation]);
  });

  it('defaults occurredAt to now, and never schedules before now', async () => {
    const type = anEventType();
    await givenTriggeredSurvey(type, { delayHours: 2 });
    const customerId = await givenCustomer(api);
    const before = Date.now();

    const now = await postEvent({ eventId: uniqueId('e'), customerId, type });
    const old = await postEvent({
      eventId: uniqueId('e'),
      customerId: await givenCustomer(api),
      type,
      occurredAt: '2026-01-01T00:00:00Z',
    });

    expect(now.status).toBe(201);
    expect(Date.parse(now.body.occurredAt)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(now.body.invitations[0].sendAt)).toBe(Date.parse(now.body.occurredAt) + 2 * HOUR);
    expect(old.status).toBe(201);
    expect(old.body.occurredAt).toBe('2026-01-01T00:00:00.000Z');
    expect(Date.parse(old.body.invitations[0].sendAt)).toBeGreaterThanOrEqual(before);
  });

  it('answers a repeat with the first answer and "duplicate": true, scheduling nothing', async () => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type);
    const customerId = await givenCustomer(api);
    const body = { eventId: uniqueId('e'), customerId, type, properties: { channel: 'web' } };
    const first = await postEvent(body);

    const watch = await watchTableWrites();
    // The same body, its keys in another order.
    const again = await postEvent({ properties: { channel: 'web' }, type, customerId, eventId: body.eventId });

    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, duplicate: true });
    expect(writesNaming(await watch.written(), [body.eventId, customerId, surveyId])).toEqual([]);
    expect(await invitationsOf(surveyId)).toHaveLength(1);
  });

  it('refuses the same eventId with another body: 422, storing nothing', async () => {
    const type = anEventType();
    const customerId = await givenCustomer(api);
    const eventId = uniqueId('e');
    await postEvent({ eventId, customerId, type });

    const watch = await watchTableWrites();
    const res = await postEvent({ eventId, customerId, type, properties: { other: true } });

    expectContractError(res, 422, 'idempotency_key_reused');
    expect(writesNaming(await watch.written(), [eventId, customerId])).toEqual([]);
  });

  it('answers 404 for an unknown customer without "customer", storing nothing', async () => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type);
    const customerId = uniqueId('c');
    const eventId = uniqueId('e');

    const watch = await watchTableWrites();
    const res = await postEvent({ eventId, customerId, type });

    expectContractError(res, 404, 'not_found');
    expect(writesNaming(await watch.written(), [eventId, customerId, surveyId])).toEqual([]);
  });

  it('creates or updates the customer from "customer" in the same write, then invites them', async () => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type);
    const customerId = uniqueId('c');
    const profile = aCustomer({ name: 'Kai' });

    const res = await postEvent({ eventId: uniqueId('e'), customerId, type, customer: profile });

    expect(res.status).toBe(201);
    expect(res.body.invitations).toHaveLength(1);
    const [item] = await storedCustomer(customerId);
    expect(item).toMatchObject({ customerId, email: profile.email, name: 'Kai', unsubscribed: false });
    expect(item!.gsi3pk).toMatch(/^CADENCE#\d+$/);
    expect((await invitationsOf(surveyId))[0]).toMatchObject({ customerId, status: 'scheduled' });
  });

  it.each([
    ['an eventId with a space', { eventId: 'a b' }, 'eventId'],
    ['a type with capitals', { type: 'Purchase' }, 'type'],
    ['an occurredAt more than 5 minutes ahead', { occurredAt: new Date(Date.now() + 10 * 60_000).toISOString() }, 'occurredAt'],
    ['an occurredAt before 2000', { occurredAt: '1999-12-31T23:59:59Z' }, 'occurredAt'],
    ['an occurredAt that is not an instant', { occurredAt: 'yesterday' }, 'occurredAt'],
    ['21 properties', { properties: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`p${i}`, i])) }, 'properties'],
    ['a property of 257 characters', { properties: { note: 'x'.repeat(257) } }, 'properties.note'],
    ['an object as a property', { properties: { nested: { a: 1 } } }, 'properties.nested'],
    ['a customer without an email', { customer: { name: 'Kai' } }, 'customer.email'],
    ['an unknown field', { surprise: 1 }, 'surprise'],
  ])('refuses %s with 400, storing nothing', async (_name, change, path) => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type);
    const customerId = await givenCustomer(api);
    const eventId = uniqueId('e');

    const watch = await watchTableWrites();
    const res = await postEvent({ eventId, customerId, type, ...change });

    expectContractError(res, 400, 'validation_failed', path);
    expect(writesNaming(await watch.written(), [eventId, customerId, surveyId])).toEqual([]);
  });

  it('needs the admin token', async () => {
    const res = await api.request('POST', '/v1/events', { body: { eventId: 'e-1', customerId: 'c-1', type: 'purchase' } });
    expectContractError(res, 401, 'unauthorized');
  });

  it('invites the share of events sampleRate says, the same events every time', async () => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type, { sampleRate: 0.5 });
    const eventIds = Array.from({ length: 12 }, () => uniqueId('e'));

    const answers = await Promise.all(
      eventIds.map(async (eventId) => postEvent({ eventId, customerId: await givenCustomer(api), type })),
    );

    const invited = answers.map((a) => a.body.invitations.length);
    expect(invited).toEqual(eventIds.map((id) => (isSampled(surveyId, id, 0.5) ? 1 : 0)));
    expect(await invitationsOf(surveyId)).toHaveLength(invited.filter((n) => n === 1).length);
  });

  it('invites nobody at sampleRate 0', async () => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type, { sampleRate: 0 });
    const res = await postEvent({ eventId: uniqueId('e'), customerId: await givenCustomer(api), type });
    expect(res.body.invitations).toEqual([]);
    expect(await invitationsOf(surveyId)).toEqual([]);
  });

  it('records skips with their reason: unsubscribed, and recontact within recontactDays', async () => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type, {}, { recontactDays: 90 });
    const unsubscribed = await givenCustomer(api);
    await testDb().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.customer(unsubscribed),
        UpdateExpression: 'SET unsubscribed = :true',
        ExpressionAttributeValues: { ':true': true },
      }),
    );
    const answered = await givenCustomer(api);
    const response = await api.request('POST', '/v1/responses', {
      admin: true,
      body: { surveyId, customerId: answered, nps: 9 },
    });
    expect(response.status).toBe(201);

    const first = await postEvent({ eventId: uniqueId('e'), customerId: unsubscribed, type });
    const second = await postEvent({ eventId: uniqueId('e'), customerId: answered, type });

    expect(first.body.invitations).toEqual([]);
    expect(second.body.invitations).toEqual([]);
    const skipped = await invitationsOf(surveyId, '?status=skipped');
    expect(skipped.map((i) => [i.customerId, i.reason]).sort()).toEqual(
      [
        [unsubscribed, 'unsubscribed'],
        [answered, 'recontact'],
      ].sort(),
    );
    expect(await invitationsOf(surveyId, '?status=scheduled')).toEqual([]);
  });

  it('throttles across surveys: a second survey’s event within surveyThrottleDays is skipped', async () => {
    const [typeA, typeB] = [anEventType(), anEventType()];
    const surveyA = await givenTriggeredSurvey(typeA);
    const surveyB = await givenTriggeredSurvey(typeB);
    const customerId = await givenCustomer(api);

    const a = await postEvent({ eventId: uniqueId('e'), customerId, type: typeA });
    const b = await postEvent({ eventId: uniqueId('e'), customerId, type: typeB });

    expect(a.body.invitations).toHaveLength(1);
    expect(b.body.invitations).toEqual([]);
    expect(await invitationsOf(surveyA)).toHaveLength(1);
    expect((await invitationsOf(surveyB)).map((i) => [i.status, i.reason])).toEqual([['skipped', 'throttled']]);
  });

  it('keeps one event and one invitation when the same event arrives 10 times at once', async () => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type);
    const customerId = await givenCustomer(api);
    const body = { eventId: uniqueId('e'), customerId, type };

    const answers = await Promise.all(Array.from({ length: 10 }, () => postEvent(body)));

    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 200, 201]);
    const first = answers.find((a) => a.status === 201)!.body;
    for (const a of answers.filter((x) => x.status === 200)) expect(a.body).toEqual({ ...first, duplicate: true });
    expect(await eventsOf(customerId)).toHaveLength(1);
    expect(await invitationsOf(surveyId)).toHaveLength(1);
    expect(await getItem(keys.event(body.eventId).pk, keys.event(body.eventId).sk)).toBeDefined();
  });

  it('invites a customer once when 10 of their events arrive at once (one open invitation, the throttle)', async () => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type);
    const customerId = await givenCustomer(api);

    const answers = await Promise.all(Array.from({ length: 10 }, () => postEvent({ eventId: uniqueId('e'), customerId, type })));

    expect(answers.every((a) => a.status === 201)).toBe(true);
    expect(answers.flatMap((a) => a.body.invitations)).toHaveLength(1);
    expect(await eventsOf(customerId)).toHaveLength(10);
    const listed = await invitationsOf(surveyId);
    expect(listed.filter((i) => i.status === 'scheduled')).toHaveLength(1);
    expect(listed.filter((i) => i.status === 'skipped').map((i) => i.reason)).toEqual(Array(9).fill('alreadyInvited'));
  });

  it('counts an event’s own invitations against each other: two surveys on one type, one invitation within the throttle', async () => {
    const type = anEventType();
    const [first, second] = [await givenTriggeredSurvey(type), await givenTriggeredSurvey(type)];
    const customerId = await givenCustomer(api);

    const res = await postEvent({ eventId: uniqueId('e'), customerId, type });

    expect(res.body.invitations).toHaveLength(1);
    const statuses = [...(await invitationsOf(first)), ...(await invitationsOf(second))].map((i) => [i.status, i.reason ?? null]);
    expect(statuses.sort()).toEqual([
      ['scheduled', null],
      ['skipped', 'throttled'],
    ]);
  });

  it('keeps an unsubscribed customer unsubscribed when an event updates their profile', async () => {
    const type = anEventType();
    const surveyId = await givenTriggeredSurvey(type);
    const customerId = await givenCustomer(api);
    await testDb().send(
      new UpdateCommand({
        TableName: table(),
        Key: keys.customer(customerId),
        UpdateExpression: 'SET unsubscribed = :true',
        ExpressionAttributeValues: { ':true': true },
      }),
    );

    const res = await postEvent({ eventId: uniqueId('e'), customerId, type, customer: aCustomer({ name: 'Renamed' }) });

    expect(res.body.invitations).toEqual([]);
    expect((await storedCustomer(customerId))[0]).toMatchObject({ name: 'Renamed', unsubscribed: true });
    expect((await invitationsOf(surveyId)).map((i) => i.reason)).toEqual(['unsubscribed']);
  });
});
