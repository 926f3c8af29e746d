import { afterAll, beforeAll } from 'vitest';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTable } from '../../lib/local/create-table.ts';
import { startStreamPoller, type StreamPoller } from '../../lib/local/stream-poller.ts';
import { FUNCTIONS, type FunctionSpec, type StreamConsumer } from '../../lib/manifest.ts';
import { localCredentials } from '../../functions/runtime/clients.ts';
import { ENV } from '../../functions/runtime/env.ts';

/**
 * A table of this test file's own, with the scorer fed from its stream by the local poller, as `npm start` runs
 * it. Call before useApi(): the handlers read the table name when they are first loaded.
 */
export function useScoringStack() {
  const table = `feedback-scores-${randomBytes(4).toString('hex')}`;
  const dlqDir = mkdtempSync(join(tmpdir(), 'feedback-scorer-'));
  process.env[ENV.tableName] = table;
  process.env[ENV.localDlqPath] = join(dlqDir, 'scorer-poison.jsonl');
  let poller: StreamPoller | undefined;
  beforeAll(async () => {
    const client = new DynamoDBClient({
      endpoint: process.env[ENV.dynamodbEndpoint],
      region: 'local',
      credentials: localCredentials,
    });
    const { streamArn } = await createTable(client, table);
    client.destroy();
    const scorer = FUNCTIONS.find((fn) => fn.stream) as FunctionSpec & { stream: StreamConsumer };
    poller = await startStreamPoller({
      endpoint: process.env[ENV.dynamodbEndpoint]!,
      streamArn,
      fn: scorer,
      failurePath: join(dlqDir, 'failures.jsonl'),
    });
  });
  afterAll(async () => poller?.stop());
  return {
    table,
    dlqDir,
    drained: () => poller!.drained(),
  };
}

/**
 * Polls until the check passes or the time is up; returns the last value, whether it passed (the time being up
 * is no error here: assert `passed` where it matters), and how long it took.
 */
export async function within<T>(
  ms: number,
  attempt: () => Promise<T>,
  passes: (value: T) => boolean,
): Promise<{ value: T; passed: boolean; elapsedMs: number }> {
  const started = Date.now();
  for (;;) {
    const value = await attempt();
    const passed = passes(value);
    if (passed || Date.now() - started > ms) return { value, passed, elapsedMs: Date.now() - started };
    await new Promise((r) => setTimeout(r, 100));
  }
}
