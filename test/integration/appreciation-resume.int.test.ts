import { afterAll, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { SendEmailCommand, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { addDays } from '../../functions/core/dates.ts';
import { createRun, getRun, leaseRun, settleRun } from '../../functions/data/campaign-runs.ts';
import { keys, pausedRunIndex } from '../../functions/data/keys.ts';
import { sesMailer } from '../../functions/data/mailer.ts';
import { sesClient } from '../../functions/runtime/ses-client.ts';
import type { ContinueRunJob } from '../../functions/send-appreciation/ports.ts';
import { continueRun, resumePausedRuns, startRun } from '../../functions/send-appreciation/run-campaign.ts';
import { lambdaContext, loadHandler } from '../../lib/local/lambda-runtime.ts';
import { FUNCTIONS } from '../../lib/manifest.ts';
import {
  aPausedRun,
  appreciationDb,
  givenAnswer,
  givenCustomer,
  instantClock,
  sentTo,
  testPorts,
  testSettings,
  uniqueDate,
} from '../support/appreciation.ts';

/**
 * The resume sweep on DynamoDB Local and the local SES: a run paused by SES throttling goes on by itself once its pause
 * is over, through the paused-runs index, and runs once however many sweeps hand it on.
 */

const db = appreciationDb();
const BASE = 'https://x.example';

/** The local SES behind a client that answers "too many requests" while `throttled` says so. */
function throttlingSes() {
  const local = sesClient();
  const client = sesClient();
  const mock = mockClient(client);
  const state = { throttled: false, calls: 0 };
  mock.on(SendEmailCommand).callsFake(async (input: SendEmailCommandInput) => {
    state.calls++;
    if (state.throttled)
      throw Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'TooManyRequestsException', $metadata: {} });
    return local.send(new SendEmailCommand(input));
  });
  return { client, mock, state };
}

const mocks: Array<{ restore(): void }> = [];
afterAll(() => mocks.forEach((m) => m.restore()));

/** Promoters with an answer the day before `date`; the SES throttles from the `throttleAfter`th send on. */
async function givenThrottledRun(count: number, throttleAfter: number) {
  const date = uniqueDate();
  const customers = await Promise.all(Array.from({ length: count }, () => givenCustomer(db, { locale: 'en' })));
  for (const c of customers) await givenAnswer(db, c.customerId, { nps: 10, submittedAt: `${addDays(date, -1)}T09:00:00.000Z` });
  const ses = throttlingSes();
  mocks.push(ses.mock);
  const send = sesMailer({ client: ses.client, from: 'feedback@example.com', maxSendRate: 4, clock: instantClock });
  const clock = { now: Date.now() };
  const onSend = send;
  const { ports, continued } = testPorts(db, {
    send: async (email, options) => {
      if (ses.state.calls >= throttleAfter) ses.state.throttled = true;
      return onSend(email, options);
    },
    now: () => clock.now,
    settings: testSettings({ maxSendRate: 4 }),
  });
  const paused = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: BASE }, 60_000);
  return { customers, ses, ports, continued, clock, paused };
}

const runItem = async (runId: string) =>
  (
    await db.client.send(
      new GetCommand({ TableName: db.table, Key: keys.campaignRun('promoter-thanks', runId), ConsistentRead: true }),
    )
  ).Item!;

/** The sweep's hand-offs of this run (the table is shared: other files' paused runs may be due too). */
const handedOn = (continued: ContinueRunJob[], runId: string) => continued.filter((job) => job.continueRun.runId === runId);

describe('the resume sweep', () => {
  it('leaves a throttled run alone before resumeAfter, then finishes it with every email sent exactly once', async () => {
    const { customers, ses, ports, continued, clock, paused } = await givenThrottledRun(12, 5);

    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'throttled' });
    const resumeAfter = Date.parse(paused.resumeAfter!);
    // In the paused-runs index while it waits.
    expect(await runItem(paused.runId)).toMatchObject(pausedRunIndex(resumeAfter, 'promoter-thanks', paused.runId));
    ses.state.throttled = false;
    ses.state.calls = -Infinity; // SES lets everything through from now on
    const callsBefore = ses.mock.commandCalls(SendEmailCommand).length;

    clock.now = resumeAfter - 1;
    await resumePausedRuns(ports);
    expect(handedOn(continued, paused.runId)).toEqual([]);
    expect((await getRun(db, 'promoter-thanks', paused.runId))!.status).toBe('paused');
    expect(ses.mock.commandCalls(SendEmailCommand)).toHaveLength(callsBefore);

    clock.now = resumeAfter;
    await resumePausedRuns(ports);
    const jobs = handedOn(continued, paused.runId);
    expect(jobs).toEqual([{ continueRun: { campaignId: 'promoter-thanks', runId: paused.runId } }]);
    const done = await continueRun(ports, jobs[0]!.continueRun, 60_000);

    expect(done).toMatchObject({ status: 'done', selected: 12, sent: 12, failed: 0, skipped: { alreadySent: 0 } });
    const emails = await sentTo(...customers.map((c) => c.email));
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual(customers.map((c) => c.email).sort());
    expect((await runItem(paused.runId)).gsi1pk).toBeUndefined(); // out of the index once resumed

    continued.length = 0;
    await resumePausedRuns(ports);
    expect(handedOn(continued, paused.runId)).toEqual([]);
  });

  it('two sweeps at once hand the run on twice; it runs once and every email goes out once', async () => {
    const { customers, ses, ports, continued, clock, paused } = await givenThrottledRun(30, 6);
    expect(paused.status).toBe('paused');
    ses.state.throttled = false;
    ses.state.calls = -Infinity;
    clock.now = Date.parse(paused.resumeAfter!) + 1;
    const lease = ports.store.leaseRun.bind(ports.store);
    let leases = 0;
    ports.store = {
      ...ports.store,
      leaseRun: async (...args) => {
        const taken = await lease(...args);
        if (taken) leases++;
        return taken;
      },
    };

    await Promise.all([resumePausedRuns(ports), resumePausedRuns(ports)]);
    const jobs = handedOn(continued, paused.runId);
    expect(jobs).toHaveLength(2);
    const outcomes = await Promise.all(jobs.map((job) => continueRun(ports, job.continueRun, 60_000)));

    expect(leases).toBe(1);
    expect(outcomes.map((r) => r.status)).toContain('done');
    expect(await getRun(db, 'promoter-thanks', paused.runId)).toMatchObject({ status: 'done', selected: 30, sent: 30 });
    const emails = await sentTo(...customers.map((c) => c.email));
    expect(emails).toHaveLength(30);
    expect(new Set(emails.map((e) => e.destination.to[0])).size).toBe(30);
  });
});

describe('the sweep schedule of the manifest', () => {
  it('invokes the runner, as the local scheduler does, and a paused run whose pause is over finishes by itself', async () => {
    const date = uniqueDate();
    const c = await givenCustomer(db, { locale: 'en' });
    await givenAnswer(db, c.customerId, { nps: 10, submittedAt: `${addDays(date, -1)}T09:00:00.000Z` });
    // A run paused by SES a minute ago, due again now: paused the way a run pauses, so it is in the index.
    const now = Date.now();
    const run = aPausedRun({ campaignId: 'promoter-thanks', date, now, resumeAfter: now, linkBaseUrl: BASE });
    await createRun(db, { ...run, status: 'running', resumeAfter: undefined });
    await leaseRun(db, 'promoter-thanks', run.runId, 'test', now - 60_000, 60_000);
    await settleRun(db, run, 'test', { status: 'paused', resumeAfter: now - 1, reason: 'throttled' }, now - 60_000);
    const runner = FUNCTIONS.find((fn) => fn.name === 'SendAppreciation')!;
    const sweep = runner.schedules!.find((schedule) => schedule.id === 'resume-paused-runs')!;
    const handler = await loadHandler<(event: unknown, context: unknown) => Promise<{ handedOn: number }>>(runner);

    const result = await handler(sweep.input, lambdaContext(runner));

    expect(result.handedOn).toBeGreaterThanOrEqual(1);
    await expect.poll(async () => (await getRun(db, 'promoter-thanks', run.runId))?.status, { timeout: 15_000 }).toBe('done');
    expect((await sentTo(c.email)).map((e) => e.destination.to)).toEqual([[c.email]]);
  });
});
