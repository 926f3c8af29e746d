#!/usr/bin/env node
/**
 * `npm run timeline-index [-- --table <name>]`: gives items stored before issue 10 the keys its listings read, so
 * the customer's timeline shows their old emails and `GET /v1/customers?email=` finds customers not written since.
 * Scans the table once; safe to run again. Works against DynamoDB Local (DYNAMODB_ENDPOINT, table "feedback") and a
 * deployed table with the default AWS credentials (--table, or TABLE_NAME).
 */
import { parseArgs } from 'node:util';
import { backfillTimelineIndexes } from '../functions/data/timeline-backfill.ts';
import { dynamoDbClient } from '../functions/runtime/clients.ts';
import { ENV } from '../functions/runtime/env.ts';
import { LOCAL_TABLE } from '../lib/local/stack.ts';

const { values } = parseArgs({ options: { table: { type: 'string' } } });
const table = values.table ?? process.env[ENV.tableName] ?? (process.env[ENV.dynamodbEndpoint] ? LOCAL_TABLE : undefined);
if (!table) {
  console.error(`Name the table with --table (or ${ENV.tableName}); for DynamoDB Local set ${ENV.dynamodbEndpoint}.`);
  process.exit(2);
}
const done = await backfillTimelineIndexes({ client: dynamoDbClient(), table }, (n) =>
  console.error(`  indexed ${n.emails} emails, ${n.customers} customers…`),
);
console.error(`indexed ${done.emails} emails for the timeline and ${done.customers} customers by address`);
