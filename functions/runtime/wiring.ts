import * as z from 'zod/mini';
import type { Db } from '#data/db.ts';
import { dynamoDbClient } from './clients.ts';
import { ENV, readEnv } from './env.ts';

/** The table every function works on, wired once per cold start. */
export function tableFromEnv(): Db {
  const env = readEnv({ [ENV.tableName]: z.string().check(z.minLength(1)) });
  return { client: dynamoDbClient(), table: env[ENV.tableName] };
}
