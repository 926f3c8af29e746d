import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cadenceDay, cycleStart } from '../../functions/core/invitations/rules.ts';
import { scheduleCadence } from '../../functions/data/cadence.ts';
import { indexCustomersForCadence } from '../../functions/data/cadence-backfill.ts';
import { putCustomer } from '../../functions/data/customers.ts';
import { queryAll, type Db } from '../../functions/data/db.ts';
import { inParallel } from '../../functions/data/invitation-scheduling.ts';
import type { Invitation } from '../../functions/data/invitations.ts';
import { keys, surveyInvitationsPartition } from '../../functions/data/keys.ts';
import { putSurvey } from '../../functions/data/surveys.ts';
import { localCredentials } from '../../functions/runtime/clients.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { createTable } from '../../lib/local/create-table.ts';
import { uniqueId } from '../support/factories.ts';

/**
 * The cadence against DynamoDB Local, on a table of its own: it invites every customer of the table, so customers of
 * other test files must not be in reach (nor its invitations in theirs).
 */

const DAY = 86_400_000;
const EVERY_DAYS = 7;
/** 10:00 UTC on the first day of a 7-day cycle. */
const CYCLE = cycleStart(Date.parse('2031-03-01T00:00:00Z'), EVERY_DAYS);
const dayOf = (n: number) => CYCLE + n * DAY + 10 * 3_600_000;
const soon = () => Date.now() + 60_000;

async function freshTable(): Promise<Db> {
  const client = new DynamoDBClient({
    endpoint: process.env[ENV.dynamodbEndpoint],
    region: 'local',
    credentials: localCredentials,
  });
  const table = uniqueId('cadence');
  await createTable(client, table);
  return { client: DynamoDBDocumentClient.from(client), table };
}

async function givenCustomers(db: Db, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, (_, i) => `c-${i}-${uniqueId('x')}`);
  await inParallel(
    ids,
    8,
    async (id) => void (await putCustomer(db, id, { email: `${id}@example.com` }, new Date().toISOString())),
  );
  return ids;
}

async function unsubscribe(db: Db, customerId: string) {
  await db.client.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.customer(customerId),
      UpdateExpression: 'SET unsubscribed = :true',
      ExpressionAttributeValues: { ':true': true },
    }),
  );
}

const invitationsOf = async (db: Db, surveyId: string) =>
  (await queryAll(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': surveyInvitationsPartition(surveyId) },
    ConsistentRead: false,
  })) as unknown as Invitation[];

const givenRelationshipSurvey = (db: Db, surveyId = uniqueId('rel')) =>
  putSurvey(
    db,
    surveyId,
    {
      name: 'Relationship',
      questions: ['nps'],
      anonymous: false,
      recontactDays: 0,
      segmentBy: [],
      invite: { on: [], delayHours: 0, sampleRate: 1, everyDays: EVERY_DAYS, remindAfterDays: 0, expiresInDays: 7 },
    },
    new Date().toISOString(),
  );

describe('the cadence', () => {
  it('invites every mailable customer exactly once in a cycle, each on their day, catching up missed days', async () => {
    const db = await freshTable();
    const customers = await givenCustomers(db, 300);
    const optedOut = customers.slice(0, 10);
    for (const id of optedOut) await unsubscribe(db, id);
    const { surveyId } = await givenRelationshipSurvey(db);
    const settings = { throttleDays: 30 };

    const first = await scheduleCadence(db, settings, dayOf(0), soon());
    const afterFirstDay = await invitationsOf(db, surveyId);
    // Nothing ran on days 2 and 3: day 4's tick schedules them too.
    for (const day of [1, 4, 5, 6]) expect((await scheduleCadence(db, settings, dayOf(day), soon())).finished).toBe(true);
    const again = await scheduleCadence(db, settings, dayOf(6) + 3_600_000, soon());

    const mailable = customers.filter((id) => !optedOut.includes(id));
    const onDay = (id: string) => cadenceDay(surveyId, id, EVERY_DAYS);
    expect(first.finished).toBe(true);
    expect(afterFirstDay.map((i) => i.customerId).sort()).toEqual(mailable.filter((id) => onDay(id) === 0).sort());
    expect(again).toEqual({ scheduled: 0, skipped: 0, finished: true });
    const invitations = await invitationsOf(db, surveyId);
    expect(invitations.map((i) => i.customerId).sort()).toEqual([...mailable].sort());
    for (const invitation of invitations) {
      expect(invitation).toMatchObject({ trigger: 'cadence', status: 'scheduled' });
      const due = onDay(invitation.customerId);
      // Days 2 and 3 were caught up on day 4; every other day on the day itself.
      const expectedDay = due === 2 || due === 3 ? 4 : due;
      expect(invitation.sendAt.slice(0, 10)).toBe(new Date(dayOf(expectedDay)).toISOString().slice(0, 10));
    }
    // Spread over the cycle: every day had its share.
    const perDay = new Array<number>(EVERY_DAYS).fill(0);
    for (const id of mailable) perDay[onDay(id)]!++;
    expect(Math.min(...perDay)).toBeGreaterThan(20);
  }, 120_000);

  it('never invites twice when ticks run at once and stop at their deadline', async () => {
    const db = await freshTable();
    const customers = await givenCustomers(db, 150);
    const { surveyId } = await givenRelationshipSurvey(db);
    const settings = { throttleDays: 0 };

    // A tick out of time does nothing and says so.
    expect(await scheduleCadence(db, settings, dayOf(0), Date.now() - 1)).toEqual({ scheduled: 0, skipped: 0, finished: false });
    const outcomes = [];
    for (let day = 0; day < EVERY_DAYS; day++) {
      // Four ticks at once; two of them with a deadline that stops them early, for the others to continue.
      outcomes.push(
        ...(await Promise.all([
          scheduleCadence(db, settings, dayOf(day), soon()),
          scheduleCadence(db, settings, dayOf(day), Date.now() + 50),
          scheduleCadence(db, settings, dayOf(day), soon()),
          scheduleCadence(db, settings, dayOf(day), Date.now() + 50),
        ])),
      );
      expect((await scheduleCadence(db, settings, dayOf(day), soon())).finished).toBe(true);
    }

    const invitations = await invitationsOf(db, surveyId);
    expect(invitations).toHaveLength(customers.length);
    expect(new Set(invitations.map((i) => i.customerId)).size).toBe(customers.length);
    expect(outcomes.reduce((sum, o) => sum + o.scheduled, 0)).toBeLessThanOrEqual(customers.length);
    expect(outcomes.reduce((sum, o) => sum + o.skipped, 0)).toBe(0);
  }, 180_000);

  it('starts a new cycle: customers with an open invitation from the last one are skipped, once, with their reason', async () => {
    const db = await freshTable();
    const customers = await givenCustomers(db, 40);
    const { surveyId } = await givenRelationshipSurvey(db);
    const settings = { throttleDays: 0 };
    for (let day = 0; day < EVERY_DAYS; day++) await scheduleCadence(db, settings, dayOf(day), soon());

    for (let day = EVERY_DAYS; day < 2 * EVERY_DAYS; day++) {
      await scheduleCadence(db, settings, dayOf(day), soon());
      await scheduleCadence(db, settings, dayOf(day), soon());
    }

    const invitations = await invitationsOf(db, surveyId);
    expect(invitations.filter((i) => i.status === 'scheduled')).toHaveLength(customers.length);
    const skipped = invitations.filter((i) => i.status === 'skipped');
    expect(skipped).toHaveLength(customers.length);
    expect(new Set(skipped.map((i) => i.reason))).toEqual(new Set(['alreadyInvited']));
  }, 120_000);

  it('reaches customers stored before the index once `npm run cadence-index` puts them in it', async () => {
    const db = await freshTable();
    const customers = await givenCustomers(db, 30);
    for (const id of customers.slice(0, 20)) {
      await db.client.send(
        new UpdateCommand({ TableName: db.table, Key: keys.customer(id), UpdateExpression: 'REMOVE gsi3pk, gsi3sk' }),
      );
    }
    const { surveyId } = await givenRelationshipSurvey(db);
    const settings = { throttleDays: 0 };
    for (let day = 0; day < EVERY_DAYS; day++) await scheduleCadence(db, settings, dayOf(day), soon());
    const before = await invitationsOf(db, surveyId);

    const { indexed } = await indexCustomersForCadence(db);
    for (let day = EVERY_DAYS; day < 2 * EVERY_DAYS; day++) await scheduleCadence(db, settings, dayOf(day), soon());

    expect(before.map((i) => i.customerId).sort()).toEqual(customers.slice(20).sort());
    expect(indexed).toBe(20);
    expect(await indexCustomersForCadence(db)).toEqual({ indexed: 0 });
    const secondCycle = (await invitationsOf(db, surveyId)).filter((i) => Date.parse(i.sendAt) >= CYCLE + EVERY_DAYS * DAY);
    expect(
      secondCycle
        .filter((i) => i.status === 'scheduled')
        .map((i) => i.customerId)
        .sort(),
    ).toEqual(customers.slice(0, 20).sort());
  }, 120_000);
});
