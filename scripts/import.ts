#!/usr/bin/env node
/**
 * `npm run import -- customers|responses <file.csv|file.jsonl> [--table <name>]`
 *   customers  a customer base: CSV columns customerId,email,name,locale,timezone,birthday,attributes (attributes as
 *              a JSON object), or JSONL objects `{"customerId", …the body of PUT /v1/customers/{id}}`
 *   responses  a response history: the columns of the responses CSV export (so an export imports back), or JSONL
 *              objects like the body of POST /v1/responses with customerId and submittedAt
 * Every row is checked as the API checks it; each bad row is reported on stdout by line number and the rest go on.
 * Running it again changes nothing more, so a re-run after an interruption finishes the rest. Exit 1 when a row
 * was bad, 2 when the file or the arguments cannot be used. Works against DynamoDB Local (DYNAMODB_ENDPOINT, table
 * "feedback") and against a deployed table with the default AWS credentials (--table, or TABLE_NAME).
 */
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parseArgs } from 'node:util';
import { dynamoDbClient } from '../functions/runtime/clients.ts';
import { ENV } from '../functions/runtime/env.ts';
import { LOCAL_TABLE } from '../lib/local/stack.ts';
import { runImport } from './import-run.ts';

const USAGE = 'Usage: npm run import -- customers|responses <file.csv|file.jsonl> [--table <name>]';
const { values, positionals } = parseArgs({ allowPositionals: true, options: { table: { type: 'string' } } });
const [kind, file] = positionals;
const format = file && { '.csv': 'csv', '.jsonl': 'jsonl' }[extname(file).toLowerCase()];
if ((kind !== 'customers' && kind !== 'responses') || !file || !format || positionals.length !== 2) {
  console.error(USAGE);
  process.exit(2);
}
const table = values.table ?? process.env[ENV.tableName] ?? (process.env[ENV.dynamodbEndpoint] ? LOCAL_TABLE : undefined);
if (!table) {
  console.error(`Name the table with --table (or ${ENV.tableName}); for DynamoDB Local set ${ENV.dynamodbEndpoint}.`);
  process.exit(2);
}

let bytes: Buffer;
try {
  bytes = readFileSync(file);
} catch (error) {
  console.error(`Cannot read ${file}: ${(error as Error).message}`);
  process.exit(2);
}

console.error(`import ${kind}: ${file} into table ${table}`);
const summary = await runImport({
  db: { client: dynamoDbClient(), table },
  kind,
  format: format as 'csv' | 'jsonl',
  bytes,
  report: (bad) => console.log(`line ${bad.line}: ${bad.reasons.join('; ')}`),
  progress: progressBar(),
});
if ('header' in summary) {
  console.error(`The file cannot be imported: ${summary.header}`);
  process.exit(2);
}
console.error(
  `${summary.rows} rows: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged, ` +
    `${summary.bad} bad, in ${(summary.ms / 1000).toFixed(1)} s`,
);
process.exit(summary.bad ? 1 : 0);

/** A plain progress bar on stderr (redrawn in place on a terminal, a line every few seconds otherwise). */
function progressBar() {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let last = 0;
  return (done: number, total: number, final = false) => {
    const now = Date.now();
    if (!final && now - last < (tty ? 100 : 5000)) return;
    last = now;
    const share = total ? done / total : 1;
    const width = 30;
    const filled = Math.round(share * width);
    const rate = Math.round(done / Math.max((now - started) / 1000, 0.001));
    const line = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} rows, ${rate} rows/s`;
    if (tty) process.stderr.write(`\r${line}${final ? '\n' : ''}`);
    else process.stderr.write(`${line}\n`);
  };
}
