#!/usr/bin/env node
/**
 * How fast the dispatcher sends a backlog of due invitations on the local stack (DynamoDB Local and the local SES,
 * the real dispatcher: due index, consistent re-read, ledger claim, SES v2 SendEmail, ledger update, status move,
 * the account-wide send rate), against the local SES's raw send rate measured in the same run, and how many
 * DynamoDB writes each invitation costs (counted by a middleware on the client, with ReturnConsumedCapacity).
 * It also prints the CPU each invitation took, in DynamoDB Local's JVM and in this process (the dispatcher, the SDK
 * and the in-process local SES), of which the JVM's JIT compiler threads, and the rate those would allow if they used
 * every core: on a small machine that ceiling, not the dispatcher's waiting, is what bounds the ratio.
 *   npx tsx bench/invitations.ts [--invitations 10000] [--raw 2000]
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { newId } from '../functions/core/ids.ts';
import { parseKeyring } from '../functions/core/tokens.ts';
import { batchPut, type Db } from '../functions/data/db.ts';
import { invitationItem } from '../functions/data/invitations.ts';
import { keys } from '../functions/data/keys.ts';
import { dynamoMailStore } from '../functions/data/mail-ledger.ts';
import { sesMailer } from '../functions/data/mailer.ts';
import { dynamoSendRate } from '../functions/data/send-rate.ts';
import { putSurvey } from '../functions/data/surveys.ts';
import { dispatchDue } from '../functions/dispatch-invitations/dispatch.ts';
import type { DispatchPorts } from '../functions/dispatch-invitations/ports.ts';
import { dynamoInvitationStore } from '../functions/dispatch-invitations/store.ts';
import { dynamoDbClient, localCredentials } from '../functions/runtime/clients.ts';
import { ENV } from '../functions/runtime/env.ts';
import { logger } from '../functions/runtime/logger.ts';
import { sesClient } from '../functions/runtime/ses-client.ts';
import { configFromCdkJson } from '../lib/config.ts';
import { createTable } from '../lib/local/create-table.ts';
import { startDynamoDbLocal } from '../lib/local/dynamodb-local.ts';
import { freePort } from '../lib/local/ports.ts';
import { startSesLocal } from '../lib/local/ses-local.ts';
import { dynamoDbLocalPid, jitCompilerCpuMs, ownCpuMs, processCpuMs } from './support/cpu.ts';

const { values } = parseArgs({
  options: { invitations: { type: 'string', default: '10000' }, raw: { type: 'string', default: '2000' } },
});
const count = Number(values.invitations);
const rawCount = Number(values.raw);
const TABLE = 'bench-invitations';
/** The sends in flight: the dispatcher's own (min(16, maxSendRate)), for the raw rate too. */
const CONCURRENCY = 16;
const AT = '2026-11-28T10:00:00.000Z';

/**
 * Counts what a DynamoDB client asks of the table: items put/updated/deleted, condition checks and consumed WCUs of
 * its writes, and the items its reads look up (keys asked for, found or not, and items a query returns).
 */
function countRequests(db: Db) {
  const counted = { writeRequests: 0, items: 0, conditionChecks: 0, capacityUnits: 0, itemsLookedUp: 0, on: false };
  db.client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!counted.on) return next(args);
      const input = args.input as Record<string, unknown>;
      const command = context.commandName ?? '';
      if (!/^(PutItem|UpdateItem|DeleteItem|TransactWriteItems|BatchWriteItem)Command$/.test(command)) {
        const result = await next(args);
        if (command === 'GetItemCommand') counted.itemsLookedUp++;
        for (const { Keys } of Object.values((input.RequestItems ?? {}) as Record<string, { Keys: unknown[] }>)) {
          counted.itemsLookedUp += Keys.length;
        }
        counted.itemsLookedUp += (result.output as { Items?: unknown[] }).Items?.length ?? 0;
        return result;
      }
      input.ReturnConsumedCapacity = 'TOTAL';
      counted.writeRequests++;
      if (command === 'TransactWriteItemsCommand') {
        for (const item of input.TransactItems as Array<Record<string, unknown>>) {
          if ('ConditionCheck' in item) counted.conditionChecks++;
          else counted.items++;
        }
      } else if (command === 'BatchWriteItemCommand') {
        for (const list of Object.values(input.RequestItems as Record<string, unknown[]>)) counted.items += list.length;
      } else counted.items++;
      const result = await next(args);
      const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> })
        .ConsumedCapacity;
      for (const c of [consumed].flat()) counted.capacityUnits += c?.CapacityUnits ?? 0;
      return result;
    },
    { step: 'initialize', name: 'benchRequestCounter' },
  );
  return counted;
}

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
  const db: Db = { client: dynamoDbClient(), table: TABLE };
  const counted = countRequests(db);
  const jvm = dynamoDbLocalPid(dynamo.endpoint);
  const config = configFromCdkJson();

  // Seed: a survey, N customers and N scheduled invitations due before AT.
  const surveyId = 'bench-survey';
  await putSurvey(
    db,
    surveyId,
    {
      name: 'Bench',
      questions: ['nps', 'comment'],
      anonymous: false,
      recontactDays: 0,
      segmentBy: [],
      invite: { on: [], delayHours: 0, sampleRate: 1, everyDays: 0, remindAfterDays: 3, expiresInDays: 14 },
    },
    AT,
  );
  const seedStart = performance.now();
  const items = Array.from({ length: count }, (_, i) => {
    const customerId = `bench-${i}`;
    return [
      {
        ...keys.customer(customerId),
        type: 'customer',
        customerId,
        email: `${customerId}@example.com`,
        name: `Customer ${i}`,
        locale: ['en', 'tr', 'sr', 'et'][i % 4],
        unsubscribed: false,
      },
      invitationItem({
        invitationId: newId(),
        surveyId,
        customerId,
        trigger: 'manual',
        status: 'scheduled',
        sendAt: '2026-11-28T09:00:00.000Z',
        createdAt: '2026-11-28T08:00:00.000Z',
      }),
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

  // The local SES's raw rate: the same SendEmail calls, as many in flight, nothing else.
  const client = sesClient();
  const rawStart = performance.now();
  const rawCpuStart = ownCpuMs();
  let rawLeft = rawCount;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (rawLeft-- > 0) {
        await client.send(
          new SendEmailCommand({
            FromEmailAddress: config.senderAddress,
            Destination: { ToAddresses: [`raw-${rawLeft}@example.com`] },
            Content: {
              Simple: { Subject: { Data: 'Raw' }, Body: { Text: { Data: 'x'.repeat(2000) }, Html: { Data: 'x'.repeat(6000) } } },
            },
          }),
        );
      }
    }),
  );
  const rawPerSecond = rawCount / ((performance.now() - rawStart) / 1000);
  const nodeMsPerRawSend = (ownCpuMs() - rawCpuStart) / rawCount;

  // The account's rate is what the local SES takes (deployed: config maxSendRate), shared through the table as deployed.
  const rate = Math.max(1, Math.round(rawPerSecond));
  const ports: DispatchPorts = {
    invitations: dynamoInvitationStore(db),
    mail: dynamoMailStore(db),
    send: sesMailer({
      client,
      from: config.senderAddress,
      maxSendRate: rate,
      ...(process.env.BENCH_NO_SHARED_RATE ? {} : { sendRate: dynamoSendRate(db, rate) }),
    }),
    keyring: async () => parseKeyring(JSON.stringify({ activeKid: 'b', b: randomBytes(32).toString('hex') })),
    now: () => Date.now(),
    settings: { timeZone: 'UTC', sendWindow: config.sendWindow, brand: config.brand, maxSendRate: rate },
    linkBaseUrl: 'https://feedback.example.com',
  };
  counted.on = true;
  const start = performance.now();
  const cpuStart = { node: ownCpuMs(), jvm: processCpuMs(jvm), jit: jitCompilerCpuMs(jvm) };
  let result = await dispatchDue(ports, Date.parse(AT), Date.now() + 14 * 60_000);
  const totals = { ...result };
  let invocations = 1;
  // As deployed, a backlog left at the deadline goes on in the next invocation.
  for (; result.more && !result.stopped; invocations++) {
    result = await dispatchDue(ports, Date.parse(AT), Date.now() + 14 * 60_000);
    for (const k of ['sent', 'reminded', 'expired', 'deferred', 'skipped', 'failed'] as const) totals[k] += result[k];
  }
  const seconds = (performance.now() - start) / 1000;
  const cpuEnd = { node: ownCpuMs(), jvm: processCpuMs(jvm), jit: jitCompilerCpuMs(jvm) };
  counted.on = false;
  const stored = ((await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: Array<{ destination: { to: string[] } }> })
    .emails;
  const invited = stored.filter((e) => e.destination.to[0]!.startsWith('bench-'));
  const perSecond = totals.sent / seconds;
  const per = (n: number) => Number((n / Math.max(1, totals.sent)).toFixed(2));
  const cores = availableParallelism();
  const cpu =
    cpuStart.jvm === undefined || cpuEnd.jvm === undefined
      ? undefined // no /proc: not Linux
      : (() => {
          const jvmMs = cpuEnd.jvm - cpuStart.jvm;
          const jitMs = (cpuEnd.jit ?? 0) - (cpuStart.jit ?? 0);
          const nodeMs = cpuEnd.node - cpuStart.node;
          const ceiling = (cores * 1000 * totals.sent) / (jvmMs + nodeMs);
          return {
            cores,
            dynamoDbLocalMsPerInvitation: per(jvmMs),
            // Of which the JVM compiling DynamoDB Local's code (a cost of a young JVM, not of the dispatch).
            ofWhichJitCompilerMs: per(jitMs),
            nodeMsPerInvitation: per(nodeMs),
            nodeMsPerRawSend: Number(nodeMsPerRawSend.toFixed(2)),
            coresBusy: Number(((jvmMs + nodeMs) / (seconds * 1000 * cores)).toFixed(2)),
            // The rate this CPU per invitation allows with every core busy, and that rate against the raw one.
            allCoresCeilingPerSecond: Math.round(ceiling),
            ceilingRatioToRaw: Number((ceiling / rawPerSecond).toFixed(2)),
            // The same without the compiling: what a warm DynamoDB Local would allow.
            ceilingWithoutJitRatioToRaw: Number(
              ((cores * 1000 * totals.sent) / (jvmMs - jitMs + nodeMs) / rawPerSecond).toFixed(2),
            ),
          };
        })();

  console.log(
    JSON.stringify(
      {
        bench: 'invitations',
        invitations: count,
        seedSeconds: Number(seedSeconds.toFixed(1)),
        dispatchSeconds: Number(seconds.toFixed(1)),
        invocations,
        counts: { sent: totals.sent, deferred: totals.deferred, skipped: totals.skipped, failed: totals.failed },
        invitationsPerSecond: Math.round(perSecond),
        localSesRawPerSecond: Math.round(rawPerSecond),
        ratioToRaw: Number((perSecond / rawPerSecond).toFixed(2)),
        goalRatio: 0.5,
        dynamoDbWritesPerInvitation: {
          itemsWritten: per(counted.items),
          conditionChecks: per(counted.conditionChecks),
          writeRequests: per(counted.writeRequests),
          writeCapacityUnits: per(counted.capacityUnits),
          goalItemsWritten: 4,
        },
        dynamoDbItemsLookedUpPerInvitation: per(counted.itemsLookedUp),
        cpu,
        goalsMet: perSecond >= 0.5 * rawPerSecond && counted.items / Math.max(1, totals.sent) <= 4,
        inLocalSesStore: invited.length,
        distinctRecipients: new Set(invited.map((e) => e.destination.to[0])).size,
      },
      null,
      2,
    ),
  );
  // Every invitation is accounted for once: sent, or failed (a send whose outcome is unknown is never retried).
  if (totals.sent + totals.failed !== count || invited.length !== totals.sent) process.exitCode = 1;
} finally {
  await ses.stop();
  await dynamo.stop();
}
