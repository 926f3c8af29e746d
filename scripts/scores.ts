#!/usr/bin/env node
/**
 * `npm run scores -- verify|rebuild [--table <name>] [--survey <surveyId>]…`
 *   verify    recounts the aggregates from the responses and lists every difference (exit 1 when there is one)
 *   rebuild   the same, then rewrites the differing aggregates (after a new segmentBy, or an incident);
 *             pause the scorer's event source mapping while it runs
 * Works against DynamoDB Local (DYNAMODB_ENDPOINT, e.g. http://127.0.0.1:8000, table "feedback") and against a
 * deployed table with the default AWS credentials (--table, or TABLE_NAME).
 */
import { parseArgs } from 'node:util';
import { dynamoDbClient } from '../functions/runtime/clients.ts';
import { ENV } from '../functions/runtime/env.ts';
import { differences, recountScores, rewriteScores, storedScores, type Progress } from '../functions/data/score-recount.ts';
import type { Contribution } from '../functions/core/scores.ts';
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
const recount = await recountScores(db, { surveyIds, progress });
console.error(
  `  recounted ${recount.responses} responses and ${recount.invitations} invitations (${recount.unscorable} cannot be scored) ` +
    `into ${recount.buckets.size} aggregates`,
);
const stored = await storedOf(surveyIds);
const diffs = differences(recount.buckets, stored);
for (const d of diffs.slice(0, 50)) {
  console.log(JSON.stringify({ ...d.key, expected: d.expected, actual: d.actual }));
}
if (diffs.length > 50) console.log(`… and ${diffs.length - 50} more`);
console.error(`${diffs.length} differences`);

if (command === 'rebuild' && diffs.length > 0) {
  await rewriteScores(db, diffs, progress);
  const again = differences((await recountScores(db, { surveyIds })).buckets, await storedOf(surveyIds));
  console.error(`rebuilt ${diffs.length} aggregates; ${again.length} differences now`);
  process.exit(again.length === 0 ? 0 : 1);
}
process.exit(command === 'verify' && diffs.length > 0 ? 1 : 0);

async function storedOf(ids: readonly string[]) {
  if (!ids.length) return storedScores(db, { progress });
  const out = new Map<string, Contribution>();
  for (const surveyId of ids) for (const [id, c] of await storedScores(db, { surveyId, progress })) out.set(id, c);
  return out;
}
