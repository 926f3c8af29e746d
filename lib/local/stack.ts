import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ENV } from '#runtime/env.ts';
import { localCredentials } from '#runtime/clients.ts';
import { formatOrigins } from '#core/origins.ts';
import { createTable } from './create-table.ts';
import { startDynamoDbLocal } from './dynamodb-local.ts';
import { startSesLocal } from './ses-local.ts';
import { startApi } from './http-server.ts';
import { startStreamConsumers } from './stream-poller.ts';
import { configFromCdkJson, type FeedbackConfig } from '../config.ts';
import { appreciationEnvironment } from '../appreciation-env.ts';
import { assertPortsFree } from './ports.ts';
import { startScheduler } from './scheduler.ts';
import { startLocalWebhookQueue } from './webhook-queue.ts';

export const LOCAL_TABLE = 'feedback';

export interface LocalStackOptions {
  port: number;
  dynamoDbPort: number;
  sesPort: number;
  /** Keep data (and the link-signing keys, so old links still work) in this folder across restarts. */
  dataDir?: string;
  adminToken?: string;
  /** Progress lines go here. */
  log?: (line: string) => void;
  /** The deployment settings. @default cdk.json's `feedback` context, as the stack deploys them */
  config?: FeedbackConfig;
}

export interface LocalStack {
  apiUrl: string;
  dynamoDbEndpoint: string;
  sesEndpoint: string;
  adminToken: string;
  streamArn: string;
  stop(): Promise<void>;
}

const newSecret = () => randomBytes(32).toString('base64url');

/** The signing keyring: kept in the data folder when persisting, else new for each start. */
function signingKeys(dataDir?: string): string {
  const file = dataDir && join(dataDir, 'signing-keys.json');
  if (file && existsSync(file)) return readFileSync(file, 'utf8');
  const json = JSON.stringify({ activeKid: 'local-1', 'local-1': newSecret() });
  if (file) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, json, { mode: 0o600 });
  }
  return json;
}

/**
 * The whole service on this machine: DynamoDB Local, the local SES, the table from the stack's schema, and the
 * API server calling the Lambda handlers. Stops everything it started, in reverse order.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const log = options.log ?? (() => undefined);
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  // Every port is checked before anything starts: a taken one is named with the variable that moves it.
  await assertPortsFree({ port: options.port, dynamoDbPort: options.dynamoDbPort, sesPort: options.sesPort });
  try {
    log(
      `starting DynamoDB Local on port ${options.dynamoDbPort}${options.dataDir ? ` (data in ${options.dataDir})` : ' (in memory)'}`,
    );
    const dynamo = await startDynamoDbLocal({
      port: options.dynamoDbPort,
      dataDir: options.dataDir && join(options.dataDir, 'dynamodb'),
    });
    stops.push(() => dynamo.stop());
    log(`starting the local SES on port ${options.sesPort}`);
    const ses = await startSesLocal({ port: options.sesPort });
    stops.push(() => ses.stop());

    const adminToken = options.adminToken ?? newSecret();
    const config = options.config ?? configFromCdkJson();
    Object.assign(process.env, {
      AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      // Every handler gets every resource: locally nothing enforces IAM, so `access` (the table operations above all)
      // is proved by the infra tests on the template, not here.
      [ENV.tableName]: LOCAL_TABLE,
      [ENV.dynamodbEndpoint]: dynamo.endpoint,
      [ENV.sesEndpoint]: ses.endpoint,
      [ENV.adminToken]: adminToken,
      [ENV.signingKeys]: signingKeys(options.dataDir),
      [ENV.siteOrigins]: formatOrigins(config.allowedOrigins),
      [ENV.brand]: JSON.stringify(config.brand),
      [ENV.surveyThrottleDays]: String(config.surveyThrottleDays),
      [ENV.scoreDropInterval]: config.alerts.scoreDrop.interval,
      [ENV.scoreDropMinResponses]: String(config.alerts.scoreDrop.minResponses),
      // Webhooks may point at this machine's receivers (http://127.0.0.1, http://localhost): never set deployed.
      [ENV.localWebhooks]: '1',
      ...appreciationEnvironment(config),
    });
    const client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
    const { streamArn } = await createTable(client, LOCAL_TABLE);
    client.destroy();

    // Webhook deliveries, from a queue like SQS's, before anything can publish an event.
    const webhookQueue = startLocalWebhookQueue({ log });
    stops.push(() => webhookQueue.stop());
    const api = await startApi({ port: options.port, allowedOrigins: config.allowedOrigins });
    stops.push(api.stop);
    // The scorer and any other stream consumer, fed like Lambda's event source mapping feeds them.
    const consumers = await startStreamConsumers({ endpoint: dynamo.endpoint, streamArn, dataDir: options.dataDir, log });
    stops.push(() => consumers.stop());
    // Links in scheduled emails point here (config.publicBaseUrl is the deployed domain), unless set, e.g. to a tunnel.
    process.env[ENV.publicBaseUrl] ??= api.url;
    const scheduler = startScheduler({ config, log });
    stops.push(async () => scheduler.stop());
    return { apiUrl: api.url, dynamoDbEndpoint: dynamo.endpoint, sesEndpoint: ses.endpoint, adminToken, streamArn, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
