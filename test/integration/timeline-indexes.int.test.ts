import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { putCustomer } from '../../functions/data/customers.ts';
import type { Db } from '../../functions/data/db.ts';
import { customerAddressPartition, customerEmailsPartition, keys } from '../../functions/data/keys.ts';
import { claimEmail, resumeDeferredEmail, recordEmailOutcome } from '../../functions/data/mail-ledger.ts';
import { backfillTimelineIndexes } from '../../functions/data/timeline-backfill.ts';
import { localCredentials } from '../../functions/runtime/clients.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { createTable } from '../../lib/local/create-table.ts';
import { getItem, table, testDb, useApi } from '../support/api.ts';
import { givenCustomer, givenSurvey, uniqueId } from '../support/factories.ts';
import { within } from '../support/scoring-stack.ts';

/**
 * The indexes of issue 10 (a customer under their address, gsi4; their emails on the timeline, gsi2) stay right
 * through every write: a profile's address change, an event's customer upsert, a deferred email claimed again,
 * the customer's erasure; and the backfill gives old items their keys.
 */
const api = useApi();
const shared = (): Db => ({ client: testDb(), table: table() });

async function onIndex(db: Db, index: 'gsi2' | 'gsi4', partition: string) {
  const { Items = [] } = await db.client.send(
    new QueryCommand({
      TableName: db.table,
      IndexName: index,
      KeyConditionExpression: `${index}pk = :pk`,
      ExpressionAttributeValues: { ':pk': partition },
    }),
  );
  return Items;
}

const claimOf = (customerId: string, email: string, now: string, stream = 'thanks') => ({
  customerId,
  email,
  stream,
  period: now.slice(0, 10),
  runId: uniqueId('run'),
  rules: { stream, periodDays: 1, capDays: 0 },
  runDate: now.slice(0, 10),
  subject: 'Thank you',
  language: 'en',
  now,
});

describe('the timeline and address indexes', () => {
  it("move with the customer's address, on a PUT and on an event's customer", async () => {
    const first = `${uniqueId('first')}@example.com`;
    const second = `${uniqueId('second')}@example.com`;
    const id = await givenCustomer(api, { email: first });
    expect((await onIndex(shared(), 'gsi4', customerAddressPartition(first))).map((c) => c.customerId)).toEqual([id]);

    await givenCustomer(api, { email: second }, id);
    expect(await onIndex(shared(), 'gsi4', customerAddressPartition(first))).toEqual([]);
    expect((await onIndex(shared(), 'gsi4', customerAddressPartition(second))).map((c) => c.customerId)).toEqual([id]);

    const third = `${uniqueId('third')}@example.com`;
    const event = await api.request('POST', '/v1/events', {
      admin: true,
      body: { eventId: uniqueId('ev'), customerId: id, type: 'signup', customer: { email: third } },
    });
    expect(event.status, event.text).toBe(201);
    expect(await onIndex(shared(), 'gsi4', customerAddressPartition(second))).toEqual([]);
    expect((await onIndex(shared(), 'gsi4', customerAddressPartition(third))).map((c) => c.customerId)).toEqual([id]);
  });

  it('put an email claimed again after a deferral at its new claim time', async () => {
    const email = `${uniqueId('deferred')}@example.com`;
    const id = await givenCustomer(api, { email });
    const claim = claimOf(id, email, '2026-02-01T10:00:00.000Z');
    expect(await claimEmail(shared(), claim)).toBe(true);
    await recordEmailOutcome(shared(), claim, { status: 'deferred', reason: 'quota' });

    const again = { ...claim, runId: uniqueId('run'), now: '2026-02-01T11:00:00.000Z' };
    expect(await resumeDeferredEmail(shared(), again)).toBe(true);

    const onTimeline = await onIndex(shared(), 'gsi2', customerEmailsPartition(id));
    expect(onTimeline.map((e) => [e.gsi2sk, e.claimedAt])).toEqual([[`${again.now}#thanks#2026-02-01`, again.now]]);
  });

  it("are gone with the customer's erasure", async () => {
    const surveyId = await givenSurvey(api);
    const email = `${uniqueId('erased')}@example.com`;
    const id = await givenCustomer(api, { email });
    await api.request('POST', '/v1/responses', { admin: true, body: { surveyId, customerId: id, nps: 9 } });
    expect(await claimEmail(shared(), claimOf(id, email, new Date().toISOString()))).toBe(true);
    expect((await api.request('GET', `/v1/customers/${id}/timeline`, { admin: true })).body.items).toHaveLength(2);

    expect((await api.request('DELETE', `/v1/customers/${id}`, { admin: true })).status).toBe(202);
    const erased = await within(
      60_000,
      () => getItem(keys.erasure(id).pk, keys.erasure(id).sk),
      (item) => item?.status === 'erased',
    );

    expect(erased.value?.status).toBe('erased');
    expect(await onIndex(shared(), 'gsi4', customerAddressPartition(email))).toEqual([]);
    expect(await onIndex(shared(), 'gsi2', customerEmailsPartition(id))).toEqual([]);
    expect((await api.request('GET', `/v1/customers?email=${encodeURIComponent(email)}`, { admin: true })).body).toEqual({
      items: [],
    });
    expect((await api.request('GET', `/v1/customers/${id}/timeline`, { admin: true })).status).toBe(404);
  });

  it('are given to items stored before them by `npm run timeline-index`, once', async () => {
    const client = new DynamoDBClient({
      endpoint: process.env[ENV.dynamodbEndpoint],
      region: 'local',
      credentials: localCredentials,
    });
    const db: Db = { client: DynamoDBDocumentClient.from(client), table: uniqueId('backfill') };
    await createTable(client, db.table);
    const email = `${uniqueId('old')}@Example.com`;
    const id = uniqueId('c');
    await putCustomer(db, id, { email }, '2026-01-01T00:00:00.000Z');
    const claim = claimOf(id, email, '2026-01-02T09:00:00.000Z');
    expect(await claimEmail(db, claim)).toBe(true);
    // As stored before issue 10: no address index on the customer, no timeline keys on the ledger entry.
    const strip = (key: { pk: string; sk: string }, names: string) =>
      db.client.send(new UpdateCommand({ TableName: db.table, Key: key, UpdateExpression: `REMOVE ${names}` }));
    await strip(keys.customer(id), 'gsi4pk, gsi4sk');
    await strip(keys.emailLedger(id, 'thanks', '2026-01-02'), 'gsi2pk, gsi2sk');
    expect(await onIndex(db, 'gsi4', customerAddressPartition(email))).toEqual([]);

    expect(await backfillTimelineIndexes(db)).toEqual({ emails: 1, customers: 1 });
    expect(await backfillTimelineIndexes(db)).toEqual({ emails: 0, customers: 0 });

    expect((await onIndex(db, 'gsi4', customerAddressPartition(email.toLowerCase()))).map((c) => c.customerId)).toEqual([id]);
    expect((await onIndex(db, 'gsi2', customerEmailsPartition(id))).map((e) => e.gsi2sk)).toEqual([
      `${claim.now}#thanks#2026-01-02`,
    ]);
  });
});
