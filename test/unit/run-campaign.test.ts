import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { addDays } from '../../functions/core/dates.ts';
import { SendBlocked, SendDeferred, SendFailed, type DetractorNotice } from '../../functions/core/mail/ports.ts';
import { parseKeyring } from '../../functions/core/tokens.ts';
import type { CampaignPorts, ContinueRunJob } from '../../functions/send-appreciation/ports.ts';
import { BLOCKED_RETRY_MS, continueRun, resumePausedRuns, startRun } from '../../functions/send-appreciation/run-campaign.ts';
import { TEST_KEYRING } from '../setup-env.ts';
import { fakeCampaignStore, fakeMailer } from '../support/fake-campaign-store.ts';

/** The campaign run use case against in-memory fakes of its store port and mailer: no DynamoDB, no SES. */

const DATE = '2026-11-24';
const YESTERDAY = addDays(DATE, -1);
const BASE = 'https://feedback.example.com';
const keyring = parseKeyring(JSON.stringify(TEST_KEYRING));

function given(overrides: Partial<CampaignPorts> = {}) {
  const fake = fakeCampaignStore();
  const mailer = fakeMailer();
  const continued: ContinueRunJob[] = [];
  const notices: DetractorNotice[] = [];
  let clock = Date.parse(`${DATE}T09:00:00Z`);
  const ports: CampaignPorts = {
    store: fake.store,
    send: mailer.send,
    notifyTeam: async (notice) => void notices.push(notice),
    continueRun: async (job) => void continued.push(job),
    keyring: async () => keyring,
    now: () => clock,
    settings: {
      timeZone: 'UTC',
      winBackDays: 90,
      frequencyCapDays: 7,
      maxSendRate: 4,
      offers: {},
      brand: { name: 'Deniz' },
    },
    ...overrides,
  };
  const promoters = (count: number, extra: Record<string, unknown> = {}) =>
    Array.from({ length: count }, (_, i) => {
      const c = fake.givenCustomer({ customerId: `c-${String(i).padStart(3, '0')}`, name: `Customer ${i}`, ...extra });
      fake.givenAnswer(c.customerId, YESTERDAY, { responseId: `r-${i}`, nps: 10 });
      return c;
    });
  return { fake, mailer, continued, notices, ports, promoters, advance: (ms: number) => void (clock += ms) };
}

const run = (ports: CampaignPorts, campaignId: 'promoter-thanks' | 'detractor-followup' = 'promoter-thanks', dryRun = false) =>
  startRun(ports, { campaignId, date: DATE, dryRun, linkBaseUrl: BASE }, 60_000);

describe('a campaign run over the mail pipeline', () => {
  it('selects, skips the unsubscribed, suppressed and capped, claims, sends and records each once', async () => {
    const { fake, mailer, ports, promoters } = given();
    const [a, b, unsubscribed, suppressed, capped] = promoters(5);
    fake.customers.get(unsubscribed!.customerId)!.unsubscribed = true;
    fake.customers.get(suppressed!.customerId)!.suppressed = true;
    fake.mailState.set(capped!.customerId, {
      lastSentAt: `${addDays(DATE, -3)}T09:00:00.000Z`,
      lastOn: { birthday: addDays(DATE, -3) },
    });
    fake.givenAnswer(a!.customerId, YESTERDAY, { responseId: 'r-again', nps: 9 }); // a second answer: still one email
    fake.givenAnswer('no-profile', YESTERDAY, { responseId: 'r-x', nps: 10 }); // nobody to write to

    const report = await run(ports);

    expect(report).toMatchObject({
      status: 'done',
      selected: 5,
      sent: 2,
      failed: 0,
      skipped: { unsubscribed: 1, suppressed: 1, frequencyCap: 1, alreadySent: 0 },
    });
    expect(mailer.sent.map((e) => e.to).sort()).toEqual([a!.email, b!.email]);
    for (const email of mailer.sent) {
      expect(email.headers['List-Unsubscribe']).toMatch(/^<https:\/\/feedback\.example\.com\/v1\/unsubscribe\?token=/);
      expect(email.tags.campaign).toBe('promoter-thanks');
    }
    expect(fake.ledger.get(fake.ledgerKey(a!.customerId, 'promoter-thanks', DATE))).toMatchObject({
      status: 'sent',
      messageId: expect.any(String),
    });
    expect(fake.mailState.get(a!.customerId)).toEqual({
      lastSentAt: `${DATE}T09:00:00.000Z`,
      lastOn: { 'promoter-thanks': DATE },
    });
    expect(fake.runs.get(report.runId)).toMatchObject({ status: 'done', sent: 2, selected: 5, pages: 1 });

    const again = await run(ports);
    expect(again).toMatchObject({ sent: 0, skipped: { alreadySent: 2, unsubscribed: 1, suppressed: 1, frequencyCap: 1 } });
    expect(mailer.sent).toHaveLength(2);
  });

  it('a dry run says whom it would mail, and claims, sends and records nothing', async () => {
    const { fake, mailer, ports, promoters } = given();
    promoters(3);

    const report = await run(ports, 'promoter-thanks', true);

    expect(report).toMatchObject({ dryRun: true, selected: 3, wouldSend: 3 });
    expect(report.recipients!.map((r) => r.subject)).toContain('Thank you for your kind words, Customer 0');
    expect(mailer.sent).toHaveLength(0);
    expect(fake.ledger.size + fake.runs.size + fake.mailState.size).toBe(0);
  });

  it('a lost claim (another run mailed them first) is skipped as alreadySent, never sent twice', async () => {
    const { fake, mailer, ports, promoters } = given();
    const [contested, free] = promoters(2);
    const claim = fake.store.claim.bind(fake.store);
    fake.store.claim = async (input) => {
      if (input.customerId === contested!.customerId) {
        // Another run's claim lands between this run's read and its claim.
        await claim({ ...input, runId: 'other-run' });
      }
      return claim(input);
    };

    const report = await run(ports);

    expect(report).toMatchObject({ selected: 2, sent: 1, skipped: { alreadySent: 1 } });
    expect(mailer.sent.map((e) => e.to)).toEqual([free!.email]);
    expect(fake.ledger.get(fake.ledgerKey(contested!.customerId, 'promoter-thanks', DATE))!.runId).toBe('other-run');
  });

  it('SES quota mid-run: the run pauses, resumes after the pause, and nobody gets two emails', async () => {
    let quota = 5;
    const { fake, mailer, ports, promoters, advance } = given();
    ports.send = fakeMailer(() => {
      if (quota-- <= 0) throw new SendDeferred('quota', 3_600_000);
    }).send;
    const sent = () => [...fake.ledger.values()].filter((e) => e.status === 'sent').length;
    const customers = promoters(12);

    const paused = await run(ports);

    expect(paused.status).toBe('paused');
    expect(sent()).toBe(5);
    // The sends under way when SES said no (up to one per worker) are deferred on the ledger, not lost.
    expect([...fake.ledger.values()].filter((e) => e.status === 'deferred').length).toBeGreaterThanOrEqual(1);
    expect((await continueRun(ports, { campaignId: 'promoter-thanks', runId: paused.runId }, 60_000)).status).toBe('paused');

    quota = 1000;
    advance(3_600_001);
    ports.send = mailer.send;
    const resumed = await continueRun(ports, { campaignId: 'promoter-thanks', runId: paused.runId }, 60_000);

    expect(resumed).toMatchObject({ status: 'done', selected: 12, sent: 12, failed: 0, skipped: { alreadySent: 0 } });
    expect(mailer.sent).toHaveLength(7); // the 5 before the pause went through the first mailer
    expect(new Set(mailer.sent.map((e) => e.to)).size).toBe(7);
    expect([...fake.ledger.values()].every((e) => e.status === 'sent')).toBe(true);
    expect(fake.ledger.size).toBe(customers.length);
  });

  it('runs for past dates (a backfill) cannot mail anyone twice within the cap: it holds in real time', async () => {
    const { fake, mailer, ports } = given();
    const c = fake.givenCustomer({ customerId: 'c-backfill', name: 'Backfilled' });
    const dates = [addDays(DATE, -20), addDays(DATE, -10), DATE];
    for (const [i, date] of dates.entries())
      fake.givenAnswer(c.customerId, addDays(date, -1), { responseId: `r-b${i}`, nps: 10 });

    const reports = [];
    for (const date of dates)
      reports.push(await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: BASE }, 60_000));

    expect(mailer.sent).toHaveLength(1);
    expect(reports.map((r) => [r.sent, r.skipped.frequencyCap])).toEqual([
      [1, 0],
      [0, 1],
      [0, 1],
    ]);
  });

  it('SES refusing the account stops the run visibly, uses up no customer’s period or cap, and it resumes once fixed', async () => {
    let blocked = true;
    const { fake, mailer, ports, promoters, advance } = given();
    ports.send = fakeMailer(() => {
      if (blocked) throw new SendBlocked('AccessDeniedException', 'User is not authorized to perform ses:SendEmail');
    }).send;
    const customers = promoters(12);
    // One customer had an appreciation email 10 days ago: their windows must come back exactly as they were.
    const earlier = { lastSentAt: `${addDays(DATE, -10)}T09:00:00.000Z`, lastOn: { birthday: addDays(DATE, -10) } };
    fake.mailState.set(customers[0]!.customerId, structuredClone(earlier));

    const stopped = await run(ports);

    expect(stopped).toMatchObject({ status: 'paused', pauseReason: 'blocked: AccessDeniedException', sent: 0, failed: 0 });
    expect(fake.ledger.size).toBe(0); // every claim given back: nobody's period taken
    expect(fake.mailState.get(customers[0]!.customerId)).toEqual(earlier); // nor their cap
    for (const c of customers.slice(1)) expect(fake.mailState.get(c.customerId) ?? { lastOn: {} }).toEqual({ lastOn: {} });

    // The team fixes SES; the run tries again after its wait and mails everyone, once.
    blocked = false;
    ports.send = mailer.send;
    advance(BLOCKED_RETRY_MS + 1);
    const resumed = await continueRun(ports, { campaignId: 'promoter-thanks', runId: stopped.runId }, 60_000);
    expect(resumed).toMatchObject({ status: 'done', sent: 12, failed: 0 });
    expect(new Set(mailer.sent.map((e) => e.to)).size).toBe(12);
  });

  it('a page error stops the page, releases the lease, hands on, and the next invocation ends with exact counts', async () => {
    const { fake, mailer, continued, ports, promoters } = given();
    const customers = promoters(6);
    const record = fake.store.recordOutcome.bind(fake.store);
    let faults = 1;
    fake.store.recordOutcome = async (entry, outcome) => {
      if (faults-- > 0) throw Object.assign(new Error('Throughput exceeded'), { name: 'ThrottlingException' });
      return record(entry, outcome);
    };

    const first = await run(ports);

    expect(first.status).toBe('running');
    expect(continued).toEqual([{ continueRun: { campaignId: 'promoter-thanks', runId: first.runId, failures: 1 } }]);
    expect(fake.runs.get(first.runId)).toMatchObject({ status: 'running', pages: 0, leaseOwner: undefined });

    const done = await continueRun(ports, continued[0]!.continueRun, 60_000);

    expect(done).toMatchObject({ status: 'done', selected: 6, sent: 6, skipped: { alreadySent: 0 } });
    expect(new Set(mailer.sent.map((e) => e.to)).size).toBe(mailer.sent.length);
    expect(mailer.sent.map((e) => e.to).sort()).toEqual(customers.map((c) => c.email).sort());
    // The one whose outcome could not be recorded stays claimed: never sent again.
    expect([...fake.ledger.values()].filter((e) => e.status === 'claimed')).toHaveLength(1);
  });

  it('a persistent page error stops handing on after three failures in a row', async () => {
    const { fake, continued, ports, promoters } = given();
    promoters(2);
    fake.store.readSelectionPage = async () => {
      throw new Error('network down');
    };

    const first = await run(ports);
    await continueRun(ports, continued.shift()!.continueRun, 60_000);
    await continueRun(ports, continued.shift()!.continueRun, 60_000);

    expect(continued).toEqual([]);
    expect(fake.runs.get(first.runId)).toMatchObject({ status: 'running', leaseOwner: undefined });
  });

  it('a rejected send is failed once and never retried; the team hears of each detractor followed up', async () => {
    const { fake, mailer, notices, ports } = given();
    const bad = fake.givenCustomer({ customerId: 'bad', name: 'Bad' });
    const good = fake.givenCustomer({ customerId: 'good', name: 'Good' });
    fake.givenAnswer(bad.customerId, YESTERDAY, { responseId: 'r-1', nps: 2, comment: 'slow' });
    fake.givenAnswer(good.customerId, YESTERDAY, { responseId: 'r-2', nps: 3, comment: 'rude' });
    ports.send = fakeMailer((email) => {
      if (email.to === bad.email) throw new SendFailed('MessageRejected');
    }).send;

    const report = await run(ports, 'detractor-followup');
    const again = await run(ports, 'detractor-followup');

    expect(report).toMatchObject({ selected: 2, sent: 1, failed: 1 });
    expect(again).toMatchObject({ sent: 0, failed: 0, skipped: { alreadySent: 2 } });
    expect(fake.ledger.get(fake.ledgerKey('bad', 'detractor-followup', DATE))).toMatchObject({
      status: 'failed',
      reason: 'MessageRejected',
    });
    expect(notices).toEqual([
      expect.objectContaining({ customerId: 'good', score: 3, comment: 'rude', campaignId: 'detractor-followup' }),
    ]);
    expect(mailer.sent).toHaveLength(0);
  });
});

/** The API's budget for answering a run itself (HTTP_BUDGET_MS in the handler), under API Gateway's 30 s. */
const HTTP_BUDGET_MS = 20_000;

describe('a run called over HTTP answers within its budget, whatever the page costs', () => {
  // Fake timers: a 3-second send costs no real time, and the run's clock (Date.now) moves with the timers.
  beforeEach(() => void vi.useFakeTimers({ toFake: ['setTimeout', 'Date'] }));
  afterEach(() => void vi.useRealTimers());
  const after = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
  const timed = async <T>(work: Promise<T>): Promise<T> => {
    await vi.runAllTimersAsync();
    return work;
  };

  it('slow sends: the page stops starting sends near the deadline, and the continuation counts each email once', async () => {
    const { fake, mailer, continued, ports, promoters } = given({ now: () => Date.now() });
    ports.settings.maxSendRate = 1; // a page of 10, one send at a time: 30 s at 3 s a send
    ports.send = async (email, options) => {
      await after(3_000);
      return mailer.send(email, options);
    };
    promoters(10);
    const started = Date.now();

    const report = await timed(
      startRun(ports, { campaignId: 'promoter-thanks', date: DATE, dryRun: false, linkBaseUrl: BASE }, HTTP_BUDGET_MS),
    );

    expect(Date.now() - started).toBeLessThanOrEqual(HTTP_BUDGET_MS);
    expect(report.status).toBe('running');
    expect(continued).toEqual([{ continueRun: { campaignId: 'promoter-thanks', runId: report.runId } }]);
    expect(fake.runs.get(report.runId)).toMatchObject({ pages: 0, sent: 0, leaseOwner: undefined });
    const early = mailer.sent.length;
    expect(early).toBeGreaterThan(0);

    const done = await timed(continueRun(ports, continued[0]!.continueRun, 14 * 60_000));

    expect(done).toMatchObject({ status: 'done', selected: 10, sent: 10, failed: 0, skipped: { alreadySent: 0 } });
    expect(mailer.sent).toHaveLength(10);
    expect(new Set(mailer.sent.map((e) => e.to)).size).toBe(10);
  });

  it('a slow store: a dry run starts no page it has no time for, and says it is truncated', async () => {
    const { fake, ports, promoters } = given({ now: () => Date.now() });
    const read = fake.store.readSelectionPage.bind(fake.store);
    fake.store.readSelectionPage = async (...args) => {
      await after(8_000);
      return read(...args);
    };
    promoters(50); // three pages of 20
    const started = Date.now();

    const report = await timed(
      startRun(ports, { campaignId: 'promoter-thanks', date: DATE, dryRun: true, linkBaseUrl: BASE }, HTTP_BUDGET_MS),
    );

    expect(Date.now() - started).toBeLessThanOrEqual(HTTP_BUDGET_MS);
    expect(report).toMatchObject({ status: 'done', dryRun: true, truncated: true, selected: 40, wouldSend: 40 });
  });
});

describe('the resume sweep (every 5 minutes): a paused run goes on by itself once its pause is over', () => {
  /** Throttled beyond the run's patience on the 4th send: SES asks for a minute's pause. */
  const throttledOnce = (ports: CampaignPorts, mailer: ReturnType<typeof fakeMailer>) => {
    let sends = 0;
    ports.send = async (email, options) => {
      if (++sends === 4) throw new SendDeferred('throttled', 60_000);
      return mailer.send(email, options);
    };
  };
  const givenDetractor = (fake: ReturnType<typeof fakeCampaignStore>) => {
    fake.givenCustomer({ customerId: 'd-1', name: 'Detractor' });
    fake.givenAnswer('d-1', YESTERDAY, { responseId: 'r-d1', nps: 2 });
  };
  /** Works each handed-on job as the continuation would, all at once. */
  const workAll = (ports: CampaignPorts, jobs: ContinueRunJob[]) =>
    Promise.all(jobs.splice(0).map((job) => continueRun(ports, job.continueRun, 60_000)));

  it('does nothing before resumeAfter, then hands the run on and it finishes with every email sent once', async () => {
    const { fake, mailer, continued, ports, promoters, advance } = given();
    throttledOnce(ports, mailer);
    const customers = promoters(12);

    const paused = await run(ports);
    expect(paused).toMatchObject({ status: 'paused', pauseReason: 'throttled' });
    const resumeAfter = Date.parse(paused.resumeAfter!);

    advance(resumeAfter - ports.now() - 1);
    expect(await resumePausedRuns(ports)).toEqual({ handedOn: 0 });
    expect(continued).toEqual([]);
    expect(fake.runs.get(paused.runId)!.status).toBe('paused');

    advance(1);
    expect(await resumePausedRuns(ports)).toEqual({ handedOn: 1 });
    expect(continued).toEqual([{ continueRun: { campaignId: 'promoter-thanks', runId: paused.runId } }]);
    const [done] = await workAll(ports, continued);

    expect(done).toMatchObject({ status: 'done', selected: 12, sent: 12, failed: 0, skipped: { alreadySent: 0 } });
    expect(mailer.sent.map((e) => e.to).sort()).toEqual(customers.map((c) => c.email).sort());
    expect(await resumePausedRuns(ports)).toEqual({ handedOn: 0 }); // a done run is out of the sweep's reach
  });

  it('two sweeps racing hand the run on twice and it runs once', async () => {
    const { fake, mailer, continued, ports, promoters, advance } = given();
    throttledOnce(ports, mailer);
    promoters(30);
    const paused = await run(ports);
    advance(60_001);
    const lease = fake.store.leaseRun.bind(fake.store);
    let leases = 0;
    fake.store.leaseRun = async (...args) => {
      const taken = await lease(...args);
      if (taken) leases++;
      return taken;
    };

    await Promise.all([resumePausedRuns(ports), resumePausedRuns(ports)]);
    expect(continued).toHaveLength(2);
    const outcomes = await workAll(ports, continued);

    expect(outcomes.map((r) => r.runId)).toEqual([paused.runId, paused.runId]);
    expect(leases).toBe(1);
    expect(outcomes.some((r) => r.status === 'done')).toBe(true);
    expect(mailer.sent).toHaveLength(30);
    expect(new Set(mailer.sent.map((e) => e.to)).size).toBe(30);
  });

  it('hands on paused runs of every campaign, and a run blocked for the account only after its hour', async () => {
    const { fake, continued, ports, promoters, advance } = given();
    promoters(3);
    givenDetractor(fake);
    ports.send = async () => {
      throw new SendBlocked('AccessDeniedException', 'not authorized');
    };
    const promoterRun = await run(ports, 'promoter-thanks');
    ports.send = async () => {
      throw new SendDeferred('quota', 3_600_000);
    };
    const detractorRun = await run(ports, 'detractor-followup');
    expect([promoterRun.status, detractorRun.status]).toEqual(['paused', 'paused']);

    advance(BLOCKED_RETRY_MS - 60_000);
    await resumePausedRuns(ports);
    expect(continued).toEqual([]);

    advance(60_000);
    await resumePausedRuns(ports);
    expect(continued.map((job) => job.continueRun).sort((a, b) => a.campaignId.localeCompare(b.campaignId))).toEqual([
      { campaignId: 'detractor-followup', runId: detractorRun.runId },
      { campaignId: 'promoter-thanks', runId: promoterRun.runId },
    ]);
  });

  it('a hand-off that fails does not hold back the others, and the sweep reports the failure', async () => {
    const { fake, ports, promoters, advance } = given();
    promoters(3);
    givenDetractor(fake);
    ports.send = async () => {
      throw new SendDeferred('throttled', 60_000);
    };
    const first = await run(ports, 'promoter-thanks');
    const second = await run(ports, 'detractor-followup');
    advance(60_000);
    const handedOn: string[] = [];
    ports.continueRun = async (job) => {
      if (job.continueRun.runId === first.runId) throw new Error('Lambda said no');
      handedOn.push(job.continueRun.runId);
    };

    await expect(resumePausedRuns(ports)).rejects.toThrow(/1 of 2 paused runs/);
    expect(handedOn).toEqual([second.runId]);
  });
});
