#!/usr/bin/env node
/**
 * `npm run scores -- verify|rebuild [--table <name>] [--survey <surveyId>]…`
 *   verify    recounts the aggregates from the responses and lists every difference (exit 1 when there is one)
 *   rebuild   the same, then rewrites the differing aggregates (after a new segmentBy, or an incident) and deletes
 *             aggregates left in an earlier key layout (how a deployment moves to a new one); first it gives responses
 *             stored without a profile snapshot their customer's current profile (docs/scoring.md); pause the
 *             scorer's event source mapping while it runs
 * Works against DynamoDB Local (DYNAMODB_ENDPOINT, e.g. http://127.0.0.1:8000, table "feedback") and against a
 * deployed table with the default AWS credentials (--table, or TABLE_NAME).
 */
import { parseArgs } from 'node:util';
import { dynamoDbClient } from '../functions/runtime/clients.ts';
import { ENV } from '../functions/runtime/env.ts';
import {
  differences,
  recountScores,
  rewriteScores,
  storedAggregates,
  type Progress,
  type StoredAggregates,
} from '../functions/data/score-recount.ts';
import { LOCAL_TABLE } from '../lib/local/stack.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { table: { type: 'string' }, survey: { type: 'string', multiple: true } },
});
const command = positionals[0];
if (command !== 'verify' && command !== 'rebuild') {
  console.error('Usage: npm run scores -- verify|rebuild [--table <name>] [--survey <surveyId>]…');
  process.exit(2);
}

const table = values.table ?? process.env[ENV.tableName] ?? (process.env[ENV.dynamodbEndpoint] ? LOCAL_TABLE : undefined);
if (!table) {
  console.error(`Name the table with --table (or ${ENV.tableName}); for DynamoDB Local set ${ENV.dynamodbEndpoint}.`);
  process.exit(2);
}
const db = { client: dynamoDbClient(), table };
const surveyIds = values.survey ?? [];

let lastLine = 0;
const progress: Progress = ({ phase, done }) => {
  if (Date.now() - lastLine < 1000) return;
  lastLine = Date.now();
  console.error(`  ${phase}: ${done}…`);
};

console.error(`${command}: table ${table}${surveyIds.length ? `, surveys ${surveyIds.join(', ')}` : ', all surveys'}`);
const recount = await recountScores(db, { surveyIds, progress, backfill: command === 'rebuild' });
console.error(
  `  recounted ${recount.responses} responses and ${recount.invitations} invitations (${recount.unscorable} cannot be scored) ` +
    `into ${recount.buckets.size} aggregates`,
);
if (recount.backfilled > 0) console.error(`  gave ${recount.backfilled} responses their customer's current profile`);
if (recount.withoutProfile > 0)
  console.error(`${recount.withoutProfile} responses without a profile snapshot (rebuild gives them the customer's current one)`);
const stored = await storedOf(surveyIds);
const diffs = differences(recount.buckets, stored.current);
for (const d of diffs.slice(0, 50)) {
  console.log(JSON.stringify({ ...d.key, expected: d.expected, actual: d.actual }));
}
if (diffs.length > 50) console.log(`… and ${diffs.length - 50} more`);
console.error(`${diffs.length} differences`);
if (stored.stale.length > 0) console.error(`${stored.stale.length} aggregates in an earlier key layout (rebuild deletes them)`);

if (command === 'rebuild' && (diffs.length > 0 || stored.stale.length > 0 || recount.backfilled > 0)) {
  await rewriteScores(db, diffs, progress, stored.stale);
  const after = await storedOf(surveyIds);
  const again = differences((await recountScores(db, { surveyIds })).buckets, after.current);
  console.error(
    `rebuilt ${diffs.length} aggregates, deleted ${stored.stale.length} in an earlier layout; ` +
      `${again.length} differences and ${after.stale.length} in an earlier layout now`,
  );
  process.exit(again.length === 0 && after.stale.length === 0 ? 0 : 1);
}
process.exit(command === 'verify' && (diffs.length > 0 || stored.stale.length > 0 || recount.withoutProfile > 0) ? 1 : 0);

async function storedOf(ids: readonly string[]): Promise<StoredAggregates> {
  if (!ids.length) return storedAggregates(db, { progress });
  const out: StoredAggregates = { current: new Map(), stale: [] };
  for (const surveyId of ids) {
    const one = await storedAggregates(db, { surveyId, progress });
    for (const [id, c] of one.current) out.current.set(id, c);
    out.stale.push(...one.stale);
  }
  return out;
}
