#!/usr/bin/env node
/**
 * `npm run cadence-index [-- --table <name>]`: puts customers stored before the cadence index existed into it, so
 * relationship surveys (`invite.everyDays`) reach them without waiting for their next `PUT /v1/customers/{id}`.
 * Scans the table once; safe to run again. Works against DynamoDB Local (DYNAMODB_ENDPOINT, table "feedback") and a
 * deployed table with the default AWS credentials (--table, or TABLE_NAME).
 */
import { parseArgs } from 'node:util';
import { indexCustomersForCadence } from '../functions/data/cadence-backfill.ts';
import { dynamoDbClient } from '../functions/runtime/clients.ts';
import { ENV } from '../functions/runtime/env.ts';
import { LOCAL_TABLE } from '../lib/local/stack.ts';

const { values } = parseArgs({ options: { table: { type: 'string' } } });
const table = values.table ?? process.env[ENV.tableName] ?? (process.env[ENV.dynamodbEndpoint] ? LOCAL_TABLE : undefined);
if (!table) {
  console.error(`Name the table with --table (or ${ENV.tableName}); for DynamoDB Local set ${ENV.dynamodbEndpoint}.`);
  process.exit(2);
}
const { indexed } = await indexCustomersForCadence({ client: dynamoDbClient(), table }, (n) => console.error(`  indexed ${n}…`));
console.error(`indexed ${indexed} customers for the cadence`);
