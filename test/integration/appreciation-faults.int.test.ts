import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from '../../functions/data/db.ts';
import { keys } from '../../functions/data/keys.ts';
import { SendEmailCommand, SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { addDays } from '../../functions/core/dates.ts';
import { getRun } from '../../functions/data/campaign-runs.ts';
import { queryCustomerPartition } from '../../functions/data/customers.ts';
import { sesMailer } from '../../functions/data/mailer.ts';
import { continueRun, startRun } from '../../functions/send-appreciation/run-campaign.ts';
import { appreciationDb, givenAnswer, givenCustomer, instantClock, testPorts, uniqueDate } from '../support/appreciation.ts';

const db = appreciationDb();
const ses = mockClient(SESv2Client);
afterEach(() => ses.reset());

const sesError = (name: string, message: string) => Object.assign(new Error(message), { name, $metadata: {} });

/** A seeded generator: the same "random" faults on every run of the test. */
function seeded(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

async function givenPromoters(count: number, date: string) {
  const customers = await Promise.all(Array.from({ length: count }, () => givenCustomer(db, { locale: 'en' })));
  for (const c of customers) await givenAnswer(db, c.customerId, { nps: 10, submittedAt: `${addDays(date, -1)}T09:00:00.000Z` });
  return customers;
}

const recipientOf = (input: SendEmailCommandInput) => input.Destination!.ToAddresses![0]!;

describe('SES faults', () => {
  it('30 % throttling: retried with backoff, every recipient gets exactly one email', async () => {
    const date = uniqueDate();
    const customers = await givenPromoters(40, date);
    const delivered: string[] = [];
    let throttled = 0;
    const fault = seeded(42);
    ses.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
      if (fault() < 0.3) {
        throttled++;
        throw sesError('TooManyRequestsException', 'Maximum sending rate exceeded.');
      }
      delivered.push(recipientOf(input));
      return { MessageId: `m-${delivered.length}` };
    });
    const sleeps: number[] = [];
    const clock = { now: () => Date.now(), sleep: async (ms: number) => void sleeps.push(ms) };
    const send = sesMailer({
      client: new SESv2Client({ region: 'us-east-1' }),
      from: 'feedback@example.com',
      maxSendRate: 200,
      clock,
    });
    const { ports } = testPorts(db, { send });

    const report = await startRun(
      ports,
      { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' },
      60_000,
    );

    expect(throttled).toBeGreaterThan(5);
    expect(report).toMatchObject({ status: 'done', selected: 40, sent: 40, failed: 0 });
    expect(delivered.sort()).toEqual(customers.map((c) => c.email).sort());
    expect(sleeps.some((ms) => ms > 5)).toBe(true); // backed off, not hammering
  });

  it.each([
    [
      'AccessDeniedException',
      'User is not authorized to perform ses:SendEmail on resource arn:aws:ses:eu-west-1:1:identity/example.com',
    ],
    [
      'MessageRejected',
      'Email address is not verified. The following identities failed the check in region EU-WEST-1: feedback@example.com',
    ],
    ['NotFoundException', 'Configuration set <feedback> does not exist.'],
    ['MailFromDomainNotVerifiedException', 'MAIL FROM domain not verified'],
    ['SendingPausedException', 'Sending is paused for this account.'],
  ])('SES refusing the account (%s) stops the run and uses up no customer’s period or cap', async (name, message) => {
    const date = uniqueDate();
    const customers = await givenPromoters(8, date);
    ses.on(SendEmailCommand).rejects(sesError(name, message));
    const send = sesMailer({
      client: new SESv2Client({ region: 'us-east-1' }),
      from: 'feedback@example.com',
      maxSendRate: 4,
      clock: instantClock,
    });
    const { ports } = testPorts(db, { send, settings: { ...testPorts(db).ports.settings, maxSendRate: 4 } });

    const report = await startRun(
      ports,
      { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' },
      60_000,
    );

    expect(report).toMatchObject({ status: 'paused', pauseReason: `blocked: ${name}`, sent: 0, failed: 0 });
    expect(ses.commandCalls(SendEmailCommand).length).toBeLessThanOrEqual(4); // the sends under way, then it stopped
    for (const c of customers) {
      expect(await queryCustomerPartition(db, c.customerId, 'EMAIL#')).toEqual([]); // no ledger entry: the period is free
      const { Item } = await db.client.send(
        new GetCommand({ TableName: db.table, Key: keys.mailState(c.customerId), ConsistentRead: true }),
      );
      expect(Item?.lastSentAt).toBeUndefined(); // nor the cap
    }
  });

  it('daily quota exhausted mid-run: the run pauses, then resumes without duplicates', async () => {
    const date = uniqueDate();
    const customers = await givenPromoters(20, date);
    const delivered: string[] = [];
    let quotaLeft = 7;
    ses.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
      if (quotaLeft <= 0) throw sesError('LimitExceededException', 'Daily message quota exceeded.');
      quotaLeft--;
      delivered.push(recipientOf(input));
      return { MessageId: `m-${delivered.length}` };
    });
    let now = Date.now();
    const send = sesMailer({
      client: new SESv2Client({ region: 'us-east-1' }),
      from: 'feedback@example.com',
      maxSendRate: 4,
      clock: instantClock,
    });
    const { ports } = testPorts(db, { send, now: () => now, settings: { ...testPorts(db).ports.settings, maxSendRate: 4 } });

    const paused = await startRun(
      ports,
      { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' },
      60_000,
    );

    expect(paused.status).toBe('paused');
    expect(delivered).toHaveLength(7);
    const early = await continueRun(ports, { campaignId: 'promoter-thanks', runId: paused.runId }, 60_000);
    expect(early.status).toBe('paused'); // not before the pause is over
    expect(delivered).toHaveLength(7);

    quotaLeft = 1000; // a new day's quota
    now += 3_600_001;
    const resumed = await continueRun(ports, { campaignId: 'promoter-thanks', runId: paused.runId }, 60_000);

    expect(resumed.status).toBe('done');
    expect(delivered.sort()).toEqual(customers.map((c) => c.email).sort());
    const run = (await getRun(db, 'promoter-thanks', paused.runId))!;
    expect(run).toMatchObject({
      selected: 20,
      sent: 20,
      failed: 0,
      skipped: { alreadySent: 0, unsubscribed: 0, frequencyCap: 0, suppressed: 0 },
    });
    for (const c of customers) {
      const ledger = await queryCustomerPartition(db, c.customerId, 'EMAIL#');
      expect(ledger.map((e) => e.status)).toEqual(['sent']);
    }

    const replay = await startRun(
      ports,
      { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' },
      60_000,
    );
    expect(replay).toMatchObject({ sent: 0, skipped: { alreadySent: 20 } });
    expect(delivered).toHaveLength(20);
  });

  it('a rejected address fails once and is never retried', async () => {
    const date = uniqueDate();
    const [c] = await givenPromoters(1, date);
    ses.on(SendEmailCommand).rejects(sesError('MessageRejected', 'Email address is not verified.'));
    const send = sesMailer({
      client: new SESv2Client({ region: 'us-east-1' }),
      from: 'feedback@example.com',
      maxSendRate: 200,
      clock: instantClock,
    });
    const { ports } = testPorts(db, { send });

    const report = await startRun(
      ports,
      { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' },
      60_000,
    );

    expect(report).toMatchObject({ status: 'done', selected: 1, sent: 0, failed: 1 });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(1);
    const [entry] = await queryCustomerPartition(db, c!.customerId, 'EMAIL#');
    expect(entry).toMatchObject({ status: 'failed', reason: 'MessageRejected' });
  });
});

/** A table handle whose `send` can be intercepted per command: DynamoDB faults without touching DynamoDB Local. */
function faultyDb(intercept: (command: unknown, pass: () => Promise<unknown>) => Promise<unknown>): Db {
  const send = (command: never) => intercept(command, () => db.client.send(command));
  return { client: { send } as unknown as Db['client'], table: db.table };
}

const cancelled = (...codes: string[]) =>
  Object.assign(
    new Error(`Transaction cancelled, please refer cancellation reasons for specific reasons [${codes.join(', ')}]`),
    {
      name: 'TransactionCanceledException',
      CancellationReasons: codes.map((Code) => ({ Code })),
      $metadata: {},
    },
  );

const isLedgerUpdate = (command: unknown) =>
  command instanceof UpdateCommand &&
  String(command.input.Key?.sk).startsWith('EMAIL#') &&
  command.input.UpdateExpression?.includes('#status = :status');

describe('DynamoDB faults during a run', () => {
  it('an unexpected error in a page stops every worker, releases the lease, hands on, and counts each email once', async () => {
    const date = uniqueDate();
    const customers = await givenPromoters(12, date);
    const delivered: string[] = [];
    ses.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
      delivered.push(recipientOf(input));
      return { MessageId: `m-${delivered.length}` };
    });
    let throttled = 0;
    const flaky = faultyDb(async (command, pass) => {
      if (isLedgerUpdate(command) && throttled === 0) {
        throttled++;
        throw Object.assign(new Error('Rate of requests exceeds the allowed throughput.'), {
          name: 'ThrottlingException',
          $metadata: {},
        });
      }
      return pass();
    });
    const { ports, continued } = testPorts(db, { db: flaky, settings: { ...testPorts(db).ports.settings, maxSendRate: 4 } });

    const first = await startRun(
      ports,
      { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' },
      60_000,
    );

    expect(first.status).toBe('running');
    expect(continued).toEqual([{ continueRun: { campaignId: 'promoter-thanks', runId: first.runId, failures: 1 } }]);
    const sentBeforeHandOff = delivered.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(delivered).toHaveLength(sentBeforeHandOff); // no worker goes on sending after the run was settled
    const stored = (await getRun(db, 'promoter-thanks', first.runId))!;
    expect(stored).toMatchObject({ status: 'running', pages: 0 });

    const resumed = await continueRun(ports, continued[0]!.continueRun, 60_000);

    expect(resumed.status).toBe('done');
    expect(delivered.sort()).toEqual(customers.map((c) => c.email).sort());
    const run = (await getRun(db, 'promoter-thanks', first.runId))!;
    expect(run).toMatchObject({ selected: 12, sent: 12, failed: 0, skipped: { alreadySent: 0 } });
    const entries = (await Promise.all(customers.map((c) => queryCustomerPartition(db, c.customerId, 'EMAIL#')))).flat();
    // The one whose outcome could not be recorded stays claimed (never sent again) and has no sentAt.
    const claimed = entries.filter((e) => e.status === 'claimed');
    expect(claimed).toHaveLength(1);
    expect(claimed[0]!.claimedAt).toBeDefined();
    expect(claimed[0]!.sentAt).toBeUndefined();
    for (const e of entries.filter((e) => e.status === 'sent')) expect(String(e.sentAt) >= String(e.claimedAt)).toBe(true);
  });

  it('a transaction conflict or throttling on the claim is retried, not counted as alreadySent', async () => {
    const date = uniqueDate();
    const customers = await givenPromoters(3, date);
    const delivered: string[] = [];
    ses.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
      delivered.push(recipientOf(input));
      return { MessageId: `m-${delivered.length}` };
    });
    let faults = 0;
    const flaky = faultyDb(async (command, pass) => {
      if (command instanceof TransactWriteCommand && faults < 8) {
        faults++;
        throw cancelled('None', faults % 2 ? 'TransactionConflict' : 'ThrottlingError', 'None');
      }
      return pass();
    });
    const { ports } = testPorts(db, { db: flaky });

    const report = await startRun(
      ports,
      { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' },
      60_000,
    );

    expect(faults).toBe(8);
    expect(report).toMatchObject({ status: 'done', selected: 3, sent: 3, skipped: { alreadySent: 0 } });
    expect(delivered.sort()).toEqual(customers.map((c) => c.email).sort());
  });

  it('a customer deleted before the claim is dropped from the selection, not counted as alreadySent', async () => {
    const date = uniqueDate();
    const [kept, deleted] = await givenPromoters(2, date);
    const delivered: string[] = [];
    ses.on(SendEmailCommand).callsFake((input: SendEmailCommandInput) => {
      delivered.push(recipientOf(input));
      return { MessageId: `m-${delivered.length}` };
    });
    const racing = faultyDb(async (command, pass) => {
      const items = command instanceof TransactWriteCommand ? (command.input.TransactItems ?? []) : [];
      if (items.some((i) => i.ConditionCheck?.Key?.pk === keys.customer(deleted!.customerId).pk)) {
        await db.client.send(new DeleteCommand({ TableName: db.table, Key: keys.customer(deleted!.customerId) }));
      }
      return pass();
    });
    const { ports } = testPorts(db, { db: racing });

    const report = await startRun(
      ports,
      { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: 'https://x.example' },
      60_000,
    );

    expect(report).toMatchObject({
      status: 'done',
      selected: 1,
      sent: 1,
      skipped: { alreadySent: 0, unsubscribed: 0, frequencyCap: 0, suppressed: 0 },
    });
    expect(delivered).toEqual([kept!.email]);
  });

  it('a dry run keeps to its budget: it stops with what it counted and says truncated', async () => {
    const date = uniqueDate();
    await givenPromoters(15, date);
    const { ports } = testPorts(db, { settings: { ...testPorts(db).ports.settings, maxSendRate: 2 } }); // pages of 10

    const full = await startRun(
      ports,
      { campaignId: 'promoter-thanks', date, dryRun: true, linkBaseUrl: 'https://x.example' },
      60_000,
    );
    const cut = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: true, linkBaseUrl: 'https://x.example' }, 0);

    expect(full).toMatchObject({ status: 'done', selected: 15, wouldSend: 15 });
    expect(full.truncated).toBeUndefined();
    expect(cut).toMatchObject({ status: 'done', selected: 10, wouldSend: 10, truncated: true });
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});
