import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { createTable } from '../../lib/local/create-table.ts';
import { startStreamPoller, type StreamPoller } from '../../lib/local/stream-poller.ts';
import type { FunctionSpec, StreamConsumer } from '../../lib/manifest.ts';
import { localCredentials } from '../../functions/runtime/clients.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { within } from '../support/scoring-stack.ts';

/** The local event source mapping: Lambda's event, filters, partial failures, retry limit, checkpoints. */

const endpoint = () => process.env[ENV.dynamodbEndpoint]!;
const raw = () => new DynamoDBClient({ endpoint: endpoint(), region: 'local', credentials: localCredentials });
const doc = DynamoDBDocumentClient.from(raw());

const consumer = (stream: Partial<StreamConsumer> = {}): FunctionSpec & { stream: StreamConsumer } => ({
  name: 'Probe',
  entry: 'unused',
  access: {},
  stream: {
    batchSize: 10,
    maxBatchingWindowSeconds: 0,
    retryAttempts: 2,
    maxRecordAgeSeconds: 3600,
    bisectBatchOnError: false,
    filterPatterns: [{ dynamodb: { Keys: { pk: { S: [{ prefix: 'RESPONSE#' }] } } } }],
    ...stream,
  },
});

let table: string;
let streamArn: string;
const pollers: StreamPoller[] = [];
beforeAll(async () => {
  table = `feedback-poller-${randomBytes(4).toString('hex')}`;
  ({ streamArn } = await createTable(raw(), table));
});
afterEach(async () => {
  for (const p of pollers.splice(0)) await p.stop();
});

const put = (pk: string, extra: Record<string, unknown> = {}) => doc.send(new PutCommand({ TableName: table, Item: { pk, sk: '#X', ...extra } }));

function recorder(decide: (records: DynamoDBRecord[], call: number) => DynamoDBBatchResponse = () => ({ batchItemFailures: [] })) {
  const calls: DynamoDBRecord[][] = [];
  return {
    calls,
    handler: async (event: DynamoDBStreamEvent) => {
      calls.push(event.Records);
      return decide(event.Records, calls.length);
    },
  };
}

const pkOf = (r: DynamoDBRecord) => (r.dynamodb!.Keys as Record<string, { S: string }>).pk!.S;

describe('the local stream poller', () => {
  it('builds the event Lambda builds, for response items only, and resumes from a checkpoint after a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'poller-'));
    const run = randomBytes(3).toString('hex');
    const first = recorder();
    const options = { endpoint: endpoint(), streamArn, dataDir, failurePath: join(dataDir, 'failures.jsonl') };
    pollers.push(await startStreamPoller({ ...options, fn: consumer(), handler: first.handler }));
    await put(`SURVEY#${run}`);
    await put(`RESPONSE#${run}-1`, { nps: 9 });
    await put(`RESPONSE#${run}-1`, { nps: 3 });
    await within(5_000, async () => first.calls.flat().length, (n) => n >= 2);
    const records = first.calls.flat().filter((r) => pkOf(r).includes(run));
    expect(records.map((r) => [r.eventName, pkOf(r)])).toEqual([
      ['INSERT', `RESPONSE#${run}-1`],
      ['MODIFY', `RESPONSE#${run}-1`],
    ]);
    expect(records[1]).toMatchObject({
      eventSource: 'aws:dynamodb',
      eventSourceARN: streamArn,
      awsRegion: 'us-east-1',
      dynamodb: { NewImage: { nps: { N: '3' } }, OldImage: { nps: { N: '9' } }, StreamViewType: 'NEW_AND_OLD_IMAGES' },
    });
    expect(typeof records[1]!.eventID).toBe('string');
    expect(typeof records[1]!.dynamodb!.ApproximateCreationDateTime).toBe('number');
    expect(records[1]!.dynamodb!.SequenceNumber! > records[0]!.dynamodb!.SequenceNumber!).toBe(true);
    await pollers.pop()!.stop();

    await put(`RESPONSE#${run}-2`, { nps: 10 });
    const second = recorder();
    pollers.push(await startStreamPoller({ ...options, fn: consumer(), handler: second.handler }));
    await within(5_000, async () => second.calls.flat().length, (n) => n >= 1);
    await pollers[0]!.drained();
    expect(second.calls.flat().map(pkOf).filter((pk) => pk.includes(run))).toEqual([`RESPONSE#${run}-2`]);
  });

  it('redelivers from the reported failure, and gives up after the retry limit into the failure file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'poller-'));
    const run = randomBytes(3).toString('hex');
    const failurePath = join(dataDir, 'failures.jsonl');
    // Call 1 fails at the 2nd record; later calls always fail at the record "-poison".
    const probe = recorder((records, call) => {
      const at = call === 1 ? records[1] : records.find((r) => pkOf(r).endsWith('-poison'));
      return { batchItemFailures: at ? [{ itemIdentifier: at.dynamodb!.SequenceNumber! }] : [] };
    });
    pollers.push(await startStreamPoller({ endpoint: endpoint(), streamArn, startingPosition: 'LATEST', dataDir, failurePath, fn: consumer(), handler: probe.handler }));
    await pollers[0]!.drained();
    for (const name of ['a', 'b', 'c']) await put(`RESPONSE#${run}-${name}`);
    await within(5_000, async () => probe.calls.length, (n) => n >= 2);
    const mine = (records: DynamoDBRecord[]) => records.map(pkOf).filter((pk) => pk.includes(run)).map((pk) => pk.slice(-1));
    expect(mine(probe.calls[0]!)).toEqual(['a', 'b', 'c']);
    expect(mine(probe.calls[1]!)).toEqual(['b', 'c']);

    await put(`RESPONSE#${run}-poison`);
    // Appending creates the file a moment before the line lands in it: wait for a whole line.
    await within(8_000, async () => existsSync(failurePath) && readFileSync(failurePath, 'utf8').endsWith('\n'), Boolean);
    const failure = JSON.parse(readFileSync(failurePath, 'utf8').trim().split('\n').at(-1)!);
    expect(failure.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(failure.records.map(pkOf)).toEqual([`RESPONSE#${run}-poison`]);
    expect(failure.DDBStreamBatchInfo).toMatchObject({ streamArn, batchSize: 1 });
  });
});
