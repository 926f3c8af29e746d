#!/usr/bin/env node
/**
 * How long a campaign of N customers takes on the local stack: DynamoDB Local and the local SES, the real runner
 * (selection by index, claim transaction, SES v2 SendEmail, ledger update), continuations included.
 *   npx tsx bench/campaign.ts [--customers 10000] [--rate 1000]
 * `--rate` is the client-side send-rate limit; SES's own account limit (cdk.json maxSendRate) bounds a deployed run.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { batchPut } from '../functions/data/db.ts';
import { newId } from '../functions/core/ids.ts';
import { parseKeyring } from '../functions/core/tokens.ts';
import { getRun } from '../functions/data/campaign-runs.ts';
import { sesMailer } from '../functions/data/mailer.ts';
import { keys, lastResponseIndex, npsDayIndex, surveyResponsesIndex, timelineIndex } from '../functions/data/keys.ts';
import { dynamoDbClient, localCredentials } from '../functions/runtime/clients.ts';
import { sesClient } from '../functions/runtime/ses-client.ts';
import { ENV } from '../functions/runtime/env.ts';
import { dynamoCampaignStore } from '../functions/data/campaign-store.ts';
import type { CampaignPorts, ContinueRunJob } from '../functions/send-appreciation/ports.ts';
import { continueRun, reportOf, startRun } from '../functions/send-appreciation/run-campaign.ts';
import { logger } from '../functions/runtime/logger.ts';
import { configFromCdkJson } from '../lib/config.ts';
import { createTable } from '../lib/local/create-table.ts';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { startSesLocal } from '../lib/local/ses-local.ts';
import { freePort } from '../test/global-setup.ts';

const { values } = parseArgs({
  options: { customers: { type: 'string', default: '10000' }, rate: { type: 'string', default: '1000' } },
});
const customers = Number(values.customers);
const rate = Number(values.rate);
const TABLE = 'bench-campaign';
const DATE = '2026-06-02';
const ANSWERED = '2026-06-01T12:00:00.000Z';

logger.setLogLevel('SILENT');
const dynamo = await startDynamoDbLocal({ port: await freePort() });
const ses = await startSesLocal({ port: await freePort() });
try {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    [ENV.dynamodbEndpoint]: dynamo.endpoint,
    [ENV.sesEndpoint]: ses.endpoint,
  });
  const admin = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials: localCredentials });
  await createTable(admin, TABLE);
  const db = { client: dynamoDbClient(), table: TABLE };

  // Seed: N customers, each with yesterday's promoter answer, written in batches of 25.
  const seedStart = performance.now();
  const items = Array.from({ length: customers }, (_, i) => {
    const customerId = `bench-${i}`;
    const responseId = newId();
    return [
      {
        ...keys.customer(customerId),
        type: 'customer',
        customerId,
        email: `${customerId}@example.com`,
        name: `Customer ${i}`,
        locale: ['en', 'tr', 'sr', 'et'][i % 4],
        unsubscribed: false,
        lastResponseAt: ANSWERED,
        ...lastResponseIndex(customerId, ANSWERED),
      },
      {
        ...keys.response(responseId),
        type: 'response',
        responseId,
        surveyId: 'bench',
        customerId,
        nps: 10,
        submittedAt: ANSWERED,
        receivedAt: ANSWERED,
        createdAt: ANSWERED,
        version: 1,
        ...surveyResponsesIndex('bench', ANSWERED, responseId),
        ...timelineIndex(customerId, ANSWERED, responseId),
        ...npsDayIndex(ANSWERED, 10, customerId, responseId),
      },
    ];
  }).flat();
  const batches: Array<typeof items> = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let batch = batches.shift(); batch; batch = batches.shift()) await batchPut(db, batch);
    }),
  );
  const seedSeconds = (performance.now() - seedStart) / 1000;

  const config = configFromCdkJson();
  const queue: ContinueRunJob[] = [];
  const ports: CampaignPorts = {
    store: dynamoCampaignStore(db),
    send: sesMailer({ client: sesClient(), from: config.senderAddress, maxSendRate: rate }),
    notifyTeam: async () => undefined,
    continueRun: async (job) => void queue.push(job),
    keyring: async () => parseKeyring(JSON.stringify({ activeKid: 'b', b: randomBytes(32).toString('hex') })),
    now: () => Date.now(),
    settings: {
      timeZone: 'UTC',
      winBackDays: config.winBackDays,
      frequencyCapDays: config.frequencyCapDays,
      maxSendRate: rate,
      offers: config.offers,
      brand: config.brand,
    },
  };

  const start = performance.now();
  // One "invocation" is 14 minutes here, as deployed; longer runs hand on through the queue like an async self-invoke.
  let report = await startRun(
    ports,
    { campaignId: 'promoter-thanks', date: DATE, dryRun: false, linkBaseUrl: 'https://feedback.example.com' },
    14 * 60_000,
  );
  let invocations = 1;
  for (let job = queue.shift(); job; job = queue.shift(), invocations++) await continueRun(ports, job.continueRun, 14 * 60_000);
  const seconds = (performance.now() - start) / 1000;
  const stored = ((await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: unknown[] }).emails.length;
  report = reportOf((await getRun(db, 'promoter-thanks', report.runId))!);

  console.log(
    JSON.stringify(
      {
        bench: 'campaign',
        customers,
        rateLimit: rate,
        seedSeconds: Number(seedSeconds.toFixed(1)),
        runSeconds: Number(seconds.toFixed(1)),
        emailsPerSecond: Math.round(report.sent / seconds),
        invocations,
        status: report.status,
        selected: report.selected,
        sent: report.sent,
        failed: report.failed,
        skipped: report.skipped,
        inLocalSesStore: stored,
        atConfiguredMaxSendRate: `${config.maxSendRate}/s → at least ${Math.ceil(customers / config.maxSendRate)} s`,
      },
      null,
      2,
    ),
  );
  // Every customer is accounted for once: sent, or failed (an unknown outcome is never retried).
  if (report.sent + report.failed !== customers || stored !== report.sent) process.exitCode = 1;
} finally {
  await ses.stop();
  await dynamo.stop();
}
