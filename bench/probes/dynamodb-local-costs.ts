#!/usr/bin/env node
/**
 * What DynamoDB Local's CPU per invitation depends on: the requests one dispatched invitation makes (a 3-key consistent
 * BatchGetItem, the claim transaction: a ledger put and two condition checks, the outcome update, the status move),
 * shaped by hand, against tables with and without the stream, the indexes, the checks, and grouped 20 invitations a
 * request. Each variant runs in a DynamoDB Local of its own, after a warm-up on a table without a stream, and prints
 * the JVM's CPU per invitation (from /proc, Linux). The figures behind docs/asking.md's "Where the CPU goes"; too slow
 * (≈ 1 min a variant) for `npm run bench`.
 *   npx tsx bench/probes/dynamodb-local-costs.ts [--invitations 3000]
 */
import { parseArgs } from 'node:util';
import {
  BatchGetItemCommand,
  BatchWriteItemCommand,
  CreateTableCommand,
  DynamoDBClient,
  PutItemCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
  type AttributeValue,
  type TransactWriteItem,
  type Update,
} from '@aws-sdk/client-dynamodb';
import { localCredentials } from '../../functions/runtime/clients.ts';
import { startDynamoDbLocal } from '../../lib/local/dynamodb-local.ts';
import { freePort } from '../../lib/local/ports.ts';
import { dynamoDbLocalPid, processCpuMs } from '../support/cpu.ts';

const { values } = parseArgs({ options: { invitations: { type: 'string', default: '3000' } } });
const count = Number(values.invitations);
const IN_FLIGHT = 32;
const GROUP = 20;

interface Variant {
  name: string;
  indexes: number;
  stream: boolean;
  mode: 'oneByOne' | 'noChecks' | 'grouped';
  /** Puts into another table with a stream, created first. */
  streamRecordsBefore?: number;
}
const variants: Variant[] = [
  { name: 'as deployed: 4 indexes, stream', indexes: 4, stream: true, mode: 'oneByOne' },
  { name: 'no stream', indexes: 4, stream: false, mode: 'oneByOne' },
  { name: 'no indexes', indexes: 0, stream: true, mode: 'oneByOne' },
  { name: 'no condition checks', indexes: 4, stream: true, mode: 'noChecks' },
  { name: `${GROUP} invitations a request`, indexes: 4, stream: true, mode: 'grouped' },
  { name: 'after 5,000 records on another stream', indexes: 4, stream: true, mode: 'oneByOne', streamRecordsBefore: 5_000 },
];

const S = (value: string): AttributeValue => ({ S: value });

async function inParallel(n: number, work: (i: number) => Promise<unknown>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < n) await work(next++);
    }),
  );
}

async function createTable(client: DynamoDBClient, name: string, indexes: number, stream: boolean) {
  const names = Array.from({ length: indexes }, (_, i) => `gsi${i + 1}`);
  await client.send(
    new CreateTableCommand({
      TableName: name,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: ['pk', 'sk', ...names.flatMap((g) => [`${g}pk`, `${g}sk`])].map((a) => ({
        AttributeName: a,
        AttributeType: 'S',
      })),
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      ...(indexes
        ? {
            GlobalSecondaryIndexes: names.map((g) => ({
              IndexName: g,
              KeySchema: [
                { AttributeName: `${g}pk`, KeyType: 'HASH' },
                { AttributeName: `${g}sk`, KeyType: 'RANGE' },
              ],
              Projection: { ProjectionType: 'ALL' },
            })),
          }
        : {}),
      ...(stream ? { StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_AND_OLD_IMAGES' } } : {}),
    }),
  );
}

/** The items and requests of invitation i, as the dispatcher makes them (names shortened). */
function invitation(table: string, i: number) {
  const customer = { pk: S(`CUSTOMER#c${i}`), sk: S('#CUSTOMER') };
  const ledger = { pk: S(`CUSTOMER#c${i}`), sk: S('EMAIL#invitation#i') };
  const invitationKey = { pk: S(`INVITATION#i${i}`), sk: S('#INVITATION') };
  const seed = [
    { ...customer, email: S(`c${i}@example.com`), name: S(`Customer ${i}`), locale: S('en'), unsubscribed: { BOOL: false } },
    {
      ...invitationKey,
      status: S('scheduled'),
      customerId: S(`c${i}`),
      surveyId: S('s'),
      sendAt: S('2026-11-28T09:00:00.000Z'),
      gsi1pk: S('SURVEYINVITATIONS#s'),
      gsi1sk: S(`i${i}`),
      gsi2pk: S(`CUSTOMERINVITATIONS#c${i}`),
      gsi2sk: S(`i${i}`),
      gsi3pk: S(`DUE#${i % 16}`),
      gsi3sk: S(`2026-11-28T09:00:00.000Z#i${i}`),
    },
  ];
  const checks: TransactWriteItem[] = [
    {
      ConditionCheck: {
        TableName: table,
        Key: customer,
        ConditionExpression: 'email = :email AND unsubscribed = :false',
        ExpressionAttributeValues: { ':email': S(`c${i}@example.com`), ':false': { BOOL: false } },
      },
    },
    {
      ConditionCheck: {
        TableName: table,
        Key: { pk: S(`ADDRESS#c${i}@example.com`), sk: S('#ADDRESS') },
        ConditionExpression: 'attribute_not_exists(unsubscribed)',
      },
    },
  ];
  const put: TransactWriteItem = {
    Put: {
      TableName: table,
      Item: {
        ...ledger,
        gsi2pk: S(`CUSTOMEREMAILS#c${i}`),
        gsi2sk: S('2026-11-28T10:00:00.000Z#invitation'),
        status: S('claimed'),
        runId: S('run'),
        subject: S('How likely are you to recommend us?'),
        claimedAt: S('2026-11-28T10:00:00.000Z'),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    },
  };
  const outcome: Update = {
    TableName: table,
    Key: ledger,
    UpdateExpression: 'SET #status = :sent, messageId = :id, sentAt = :at',
    ConditionExpression: '#status = :claimed',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':sent': S('sent'),
      ':claimed': S('claimed'),
      ':id': S(`message-${i}`),
      ':at': S('2026-11-28T10:00:01.000Z'),
    },
  };
  const move: Update = {
    TableName: table,
    Key: invitationKey,
    UpdateExpression: 'SET #status = :sent, sentAt = :at, gsi3sk = :due',
    ConditionExpression: '#status = :scheduled',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':sent': S('sent'),
      ':scheduled': S('scheduled'),
      ':at': S('2026-11-28T10:00:00.000Z'),
      ':due': S(`2026-12-01T10:00:00.000Z#i${i}`),
    },
  };
  return { seed, reads: [invitationKey, customer, ledger], checks, put, outcome, move };
}

async function measure(variant: Variant) {
  const dynamo = await startDynamoDbLocal({ port: await freePort() });
  const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
  const jvm = dynamoDbLocalPid(dynamo.endpoint);
  try {
    const run = async (table: string, mode: Variant['mode']) => {
      const all = Array.from({ length: count }, (_, i) => invitation(table, i));
      const seed = all.flatMap((inv) => inv.seed);
      await inParallel(Math.ceil(seed.length / 25), (b) =>
        client.send(
          new BatchWriteItemCommand({
            RequestItems: { [table]: seed.slice(b * 25, b * 25 + 25).map((Item) => ({ PutRequest: { Item } })) },
          }),
        ),
      );
      const [cpuBefore, start] = [processCpuMs(jvm), performance.now()];
      if (mode === 'grouped') {
        await inParallel(Math.ceil(count / GROUP), async (g) => {
          const group = all.slice(g * GROUP, g * GROUP + GROUP);
          await client.send(
            new BatchGetItemCommand({
              RequestItems: { [table]: { ConsistentRead: true, Keys: group.flatMap((inv) => inv.reads) } },
            }),
          );
          await client.send(new TransactWriteItemsCommand({ TransactItems: group.flatMap((inv) => [...inv.checks, inv.put]) }));
          await client.send(
            new TransactWriteItemsCommand({
              TransactItems: group.flatMap((inv) => [{ Update: inv.outcome }, { Update: inv.move }]),
            }),
          );
        });
      } else {
        await inParallel(count, async (i) => {
          const inv = all[i]!;
          await client.send(new BatchGetItemCommand({ RequestItems: { [table]: { ConsistentRead: true, Keys: inv.reads } } }));
          const claim = mode === 'noChecks' ? [inv.put] : [...inv.checks, inv.put];
          await client.send(new TransactWriteItemsCommand({ TransactItems: claim }));
          await client.send(new UpdateItemCommand(inv.outcome));
          await client.send(new UpdateItemCommand(inv.move));
        });
      }
      const seconds = (performance.now() - start) / 1000;
      const cpuMs = (processCpuMs(jvm) ?? NaN) - (cpuBefore ?? NaN);
      return { perSecond: Math.round(count / seconds), jvmMsPerInvitation: Number((cpuMs / count).toFixed(2)) };
    };
    await createTable(client, 'warm-up', 4, false);
    await run('warm-up', 'oneByOne'); // the JIT compiles the JVM's hot paths: what a long dispatch runs on
    if (variant.streamRecordsBefore) {
      await createTable(client, 'earlier', 1, true);
      await inParallel(variant.streamRecordsBefore, (i) =>
        client.send(
          new PutItemCommand({ TableName: 'earlier', Item: { pk: S(`k${i}`), sk: S('k'), value: S('x'.repeat(200)) } }),
        ),
      );
    }
    await createTable(client, 'measured', variant.indexes, variant.stream);
    console.log(JSON.stringify({ variant: variant.name, invitations: count, ...(await run('measured', variant.mode)) }));
  } finally {
    client.destroy();
    await dynamo.stop();
  }
}

for (const variant of variants) await measure(variant);
