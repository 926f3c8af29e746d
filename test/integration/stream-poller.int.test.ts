import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBStreamsClient, GetRecordsCommand } from '@aws-sdk/client-dynamodb-streams';
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
  vi.restoreAllMocks();
});

const put = (pk: string, extra: Record<string, unknown> = {}) =>
  doc.send(new PutCommand({ TableName: table, Item: { pk, sk: '#X', ...extra } }));

function recorder(
  decide: (records: DynamoDBRecord[], call: number) => DynamoDBBatchResponse = () => ({ batchItemFailures: [] }),
) {
  const calls: DynamoDBRecord[][] = [];
  return {
    calls,
    handler: async (event: DynamoDBStreamEvent) => {
      calls.push(event.Records);
      return decide(event.Records, calls.length);
    },
  };
}

const readJson = (path: string): unknown => (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined);

const pkOf = (r: DynamoDBRecord) => (r.dynamodb!.Keys as Record<string, { S: string }>).pk!.S;
/** The keys a recorder was handed, of this test's run only. */
const keysOf = (rec: { calls: DynamoDBRecord[][] }, run: string) =>
  rec.calls
    .flat()
    .map(pkOf)
    .filter((pk) => pk.includes(run));

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
    await within(
      5_000,
      async () => first.calls.flat().length,
      (n) => n >= 2,
    );
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
    await within(
      5_000,
      async () => second.calls.flat().length,
      (n) => n >= 1,
    );
    await pollers[0]!.drained();
    expect(keysOf(second, run)).toEqual([`RESPONSE#${run}-2`]);
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
    // A batch of exactly three, and a window long enough to gather them, however loaded the machine: the first batch
    // is a, b and c (written in that order), handed over as soon as c is read. (The poison, alone, waits out the window.)
    pollers.push(
      await startStreamPoller({
        endpoint: endpoint(),
        streamArn,
        startingPosition: 'LATEST',
        dataDir,
        failurePath,
        fn: consumer({ batchSize: 3, maxBatchingWindowSeconds: 5 }),
        handler: probe.handler,
      }),
    );
    await pollers[0]!.drained();
    for (const name of ['a', 'b', 'c']) await put(`RESPONSE#${run}-${name}`);
    await within(
      10_000,
      async () => probe.calls.length,
      (n) => n >= 2,
    );
    const mine = (records: DynamoDBRecord[]) =>
      records
        .map(pkOf)
        .filter((pk) => pk.includes(run))
        .map((pk) => pk.slice(-1));
    expect(mine(probe.calls[0]!)).toEqual(['a', 'b', 'c']);
    expect(mine(probe.calls[1]!)).toEqual(['b', 'c']);

    await put(`RESPONSE#${run}-poison`);
    // Appending creates the file a moment before the line lands in it: wait for a whole line.
    await within(15_000, async () => existsSync(failurePath) && readFileSync(failurePath, 'utf8').endsWith('\n'), Boolean);
    const failure = JSON.parse(readFileSync(failurePath, 'utf8').trim().split('\n').at(-1)!);
    expect(failure.requestContext.condition).toBe('RetryAttemptsExhausted');
    expect(failure.records.map(pkOf)).toEqual([`RESPONSE#${run}-poison`]);
    expect(failure.DDBStreamBatchInfo).toMatchObject({ streamArn, batchSize: 1 });
  });

  it('does not checkpoint a batch it stopped retrying: after a restart that batch comes again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'poller-'));
    const run = randomBytes(3).toString('hex');
    const options = {
      endpoint: endpoint(),
      streamArn,
      startingPosition: 'LATEST' as const,
      dataDir,
      failurePath: join(dataDir, 'failures.jsonl'),
    };
    // The first poller takes "-a" and keeps failing (and retrying) on "-b" until it is stopped.
    const first = recorder();
    const failing = async (event: DynamoDBStreamEvent) => {
      await first.handler(event);
      if (event.Records.some((r) => pkOf(r).endsWith(`${run}-b`))) throw new Error('not now');
      return { batchItemFailures: [] };
    };
    pollers.push(await startStreamPoller({ ...options, fn: consumer({ retryAttempts: 1000 }), handler: failing }));
    await pollers[0]!.drained();
    await put(`RESPONSE#${run}-a`);
    await within(
      5_000,
      async () => first.calls.flat().map(pkOf),
      (pks) => pks.includes(`RESPONSE#${run}-a`),
    );
    await put(`RESPONSE#${run}-b`);
    await within(
      5_000,
      async () => first.calls.filter((c) => c.some((r) => pkOf(r).endsWith(`${run}-b`))).length,
      (n) => n >= 2,
    );
    await pollers.pop()!.stop();
    expect(existsSync(options.failurePath)).toBe(false);

    const second = recorder();
    pollers.push(await startStreamPoller({ ...options, fn: consumer(), handler: second.handler }));
    await within(
      5_000,
      async () => second.calls.flat().map(pkOf),
      (pks) => pks.includes(`RESPONSE#${run}-b`),
    );
    await pollers[0]!.drained();
    expect(keysOf(second, run)).toEqual([`RESPONSE#${run}-b`]);
  });

  it.each([
    ['after the checkpoint', true],
    ['at the first unsaved record, with no checkpoint yet (a LATEST start)', false],
  ])('reads again %s when GetRecords fails while records wait in the batching window', async (_, withCheckpoint) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'poller-'));
    const run = randomBytes(3).toString('hex');
    // Once a page holding "-a" has been read (so "-a" sits in the buffer, the window open), the next read fails.
    let failNext = false;
    let failed = 0;
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the client as `this`
    const send = DynamoDBStreamsClient.prototype.send as (this: DynamoDBStreamsClient, command: unknown) => Promise<unknown>;
    vi.spyOn(DynamoDBStreamsClient.prototype, 'send').mockImplementation(async function (
      this: DynamoDBStreamsClient,
      command: unknown,
    ) {
      if (command instanceof GetRecordsCommand && failNext) {
        failNext = false;
        failed++;
        throw new Error('GetRecords: connection reset');
      }
      const result = (await send.call(this, command)) as {
        Records?: Array<{ dynamodb?: { Keys?: Record<string, { S?: string }> } }>;
      };
      if (
        command instanceof GetRecordsCommand &&
        failed === 0 &&
        result.Records?.some((r) => r.dynamodb?.Keys?.pk?.S === `RESPONSE#${run}-a`)
      ) {
        failNext = true;
      }
      return result;
    } as never);
    const probe = recorder();
    pollers.push(
      await startStreamPoller({
        endpoint: endpoint(),
        streamArn,
        startingPosition: 'LATEST',
        dataDir,
        failurePath: join(dataDir, 'failures.jsonl'),
        fn: consumer({ maxBatchingWindowSeconds: 1 }),
        handler: probe.handler,
        pollIntervalMs: 50,
      }),
    );
    await pollers[0]!.drained();
    const checkpoints = () => JSON.stringify(readJson(join(dataDir, 'stream-checkpoints', 'Probe.json')) ?? {});
    if (withCheckpoint) {
      await put(`SURVEY#${run}`); // a checkpoint before "-a", so a restart from the checkpoint reads "-a" again
      await within(
        5_000,
        async () => checkpoints(),
        (t) => t.includes('checkpoint'),
      );
    } else {
      expect(checkpoints()).not.toContain('checkpoint');
    }
    await put(`RESPONSE#${run}-a`);
    await within(
      8_000,
      async () => probe.calls.flat().map(pkOf),
      (pks) => pks.includes(`RESPONSE#${run}-a`),
    );
    expect(failed).toBe(1);
    expect(keysOf(probe, run)).toEqual([`RESPONSE#${run}-a`]);
  });
});
