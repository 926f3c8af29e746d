import {
  addCounts,
  birthdayCelebratedAt,
  CAMPAIGNS,
  decide,
  emptyCounts,
  isLapsed,
  localDate,
  runInstant,
  selectionQueries,
  winBackCutoff,
  type CampaignId,
  type Decision,
  type RunCounts,
} from '#core/campaigns.ts';
import { customerTag } from '#core/email-events.ts';
import { renderEmail, resolveEmailLocale, type RenderedEmail } from '#core/emails.ts';
import { newId, newNonce } from '#core/ids.ts';
import { signToken, type Keyring } from '#core/tokens.ts';
import {
  claimEmail,
  getRecipients,
  noteLatestResponse,
  partitionsOf,
  readMailingFacts,
  readSelectionPage,
  recordEmailOutcome,
  resumeDeferredEmail,
  type MailingFacts,
  type Recipient,
  type SelectingAnswer,
  type SelectionCursor,
  type SelectionItem,
} from '#data/appreciation.ts';
import { commitPage, createRun, getRun, leaseRun, settleRun, unfinishedRuns, type CampaignRun } from '#data/campaign-runs.ts';
import type { Db } from '#data/db.ts';
import { SendDeferred, SendFailed, type Mailer } from '#data/mailer.ts';
import { customerTimeline } from '#data/responses.ts';
import type { NotifyTeam } from '#data/team-notifier.ts';
import { logger } from '#runtime/logger.ts';
import { emitMetric } from '#runtime/metrics.ts';

/** The deployment's appreciation settings (from cdk.json context, through env vars). */
export interface AppreciationSettings {
  timeZone: string;
  winBackDays: number;
  frequencyCapDays: number;
  maxSendRate: number;
  offers: Partial<Record<CampaignId, string>>;
  signOff: { name: string; title: string };
}

/** Everything a run touches, passed in: tests give fakes, the handler the real adapters. */
export interface CampaignPorts {
  db: Db;
  send: Mailer;
  notifyTeam: NotifyTeam;
  /** Goes on with a run in a fresh invocation (deployed: async self-invoke; locally: in-process). */
  continueRun: (job: ContinueRunJob) => Promise<void>;
  keyring: () => Promise<Keyring>;
  now: () => number;
  settings: AppreciationSettings;
}

export interface ContinueRunJob {
  /** `failures`: pages that failed in a row before this hand-off (absent: none), so a persistent fault stops handing on. */
  continueRun: { campaignId: CampaignId; runId: string; failures?: number };
}

export interface Recipients {
  customerId: string;
  email: string;
  subject: string;
}

/** The contract's run body. */
export interface RunReport extends RunCounts {
  runId: string;
  campaignId: CampaignId;
  date: string;
  dryRun: boolean;
  status: 'running' | 'paused' | 'done';
  recipients?: Recipients[];
  /** Dry runs only: the recipient list stops here; `wouldSend` counts them all. */
  recipientsTruncated?: boolean;
  wouldSend?: number;
  /** Dry runs only: the budget ran out before the whole selection was read; the counts cover what was read. */
  truncated?: boolean;
  resumeAfter?: string;
}

const UNSUBSCRIBE_LINK_DAYS = 730;
const DRY_RUN_LISTED = 1000;
/** A page's claims and sends take about this long at the maximum send rate; a page never starts without the time for it. */
const PAGE_SECONDS = 5;
const SAFETY_MARGIN_MS = 2_000;

const pageSize = (settings: AppreciationSettings) => Math.max(10, Math.min(100, Math.floor(settings.maxSendRate * PAGE_SECONDS)));
const pageTimeMs = (settings: AppreciationSettings) => (pageSize(settings) / settings.maxSendRate) * 1000 + SAFETY_MARGIN_MS;

export function reportOf(run: CampaignRun): RunReport {
  return {
    runId: run.runId,
    campaignId: run.campaignId,
    date: run.date,
    dryRun: false,
    status: run.status,
    selected: run.selected,
    sent: run.sent,
    failed: run.failed,
    skipped: run.skipped,
    ...(run.status === 'paused' && run.resumeAfter ? { resumeAfter: new Date(run.resumeAfter).toISOString() } : {}),
  };
}

// ---- one page of a selection -------------------------------------------------------------------------------

/** A selected customer and what their email says. */
interface Candidate {
  customer: Recipient;
  /** The ledger period: the run date, or for birthdays the local date being celebrated. */
  period: string;
  answer?: SelectingAnswer;
}

/**
 * Turns index items into candidates: one per customer (their first answer of the day), with a profile; birthdays
 * that are today in the customer's own time zone; lapsed customers whose timeline confirms the stale-able index.
 */
async function candidatesOf(ports: CampaignPorts, run: CampaignRun, items: SelectionItem[], after: SelectionCursor['after'], dryRun: boolean) {
  const { db, settings } = ports;
  // Answers sort by customer in the index: a customer split across two pages was handled with the first page.
  const previous = typeof after?.gsi3sk === 'string' ? after.gsi3sk.split('#')[0] : undefined;
  const seen = new Set<string>(previous ? [previous] : []);
  const unique = items.filter((item) => !seen.has(item.customerId) && seen.add(item.customerId));
  const missing = unique.filter((item) => !item.customer).map((item) => item.customerId);
  const profiles = missing.length ? await getRecipients(db, missing) : new Map<string, Recipient>();

  const candidates: Candidate[] = [];
  for (const item of unique) {
    const customer = item.customer ?? profiles.get(item.customerId);
    if (!customer) continue; // an answer from someone without a profile: no address to write to
    if (run.campaignId === 'birthday') {
      const celebrated = customer.birthday && birthdayCelebratedAt(customer.birthday, run.instantMs, customer.timezone ?? settings.timeZone);
      if (celebrated) candidates.push({ customer, period: celebrated });
    } else if (run.campaignId === 'win-back') {
      const [latest] = await customerTimeline(db, customer.customerId, { limit: 1 });
      if (isLapsed(latest?.submittedAt, winBackCutoff(run.date, settings.winBackDays))) {
        candidates.push({ customer, period: run.date });
      } else if (latest && !dryRun) {
        // (a dry run writes nothing, not even this repair)
        await noteLatestResponse(db, customer.customerId, latest.submittedAt); // repair the stale index entry
      }
    } else {
      candidates.push({ customer, period: run.date, answer: item.answer });
    }
  }
  return candidates;
}

function render(ports: CampaignPorts, run: CampaignRun, candidate: Candidate, ring: Keyring): RenderedEmail & { unsubscribeUrl: string } {
  const nowSeconds = Math.floor(ports.now() / 1000);
  const token = signToken(ring, {
    purpose: 'unsubscribe',
    customerId: candidate.customer.customerId,
    exp: nowSeconds + UNSUBSCRIBE_LINK_DAYS * 86_400,
    nonce: newNonce(),
  });
  const unsubscribeUrl = `${run.linkBaseUrl}/v1/unsubscribe?token=${encodeURIComponent(token)}`;
  const email = renderEmail(run.campaignId, resolveEmailLocale(candidate.customer.locale), {
    name: candidate.customer.name,
    score: candidate.answer?.nps,
    comment: candidate.answer?.comment,
    offer: ports.settings.offers[run.campaignId],
    signOff: ports.settings.signOff,
    unsubscribeUrl,
  });
  return { ...email, unsubscribeUrl };
}

const listUnsubscribeHeaders = (unsubscribeUrl: string) => ({
  'List-Unsubscribe': `<${unsubscribeUrl}>`,
  'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
});

/** Claims (or resumes) one email; on a lost claim, re-reads and says why. */
async function claim(ports: CampaignPorts, run: CampaignRun, candidate: Candidate, decision: Decision, email: RenderedEmail): Promise<Decision | 'claimed' | 'gone'> {
  const id = candidate.customer.customerId;
  for (let attempt = 0; attempt < 3; attempt++) {
    const claimInput = {
      customerId: id,
      campaignId: run.campaignId,
      period: candidate.period,
      runDate: run.date,
      runId: run.runId,
      frequencyCapDays: ports.settings.frequencyCapDays,
      subject: email.subject,
      language: email.language,
      now: new Date(ports.now()).toISOString(),
    };
    const won = decision.kind === 'resume' ? await resumeDeferredEmail(ports.db, claimInput) : await claimEmail(ports.db, claimInput);
    if (won) return 'claimed';
    const facts = (await readMailingFacts(ports.db, run.campaignId, [{ customerId: id, period: candidate.period }], { consistent: true })).get(id)!;
    // Deleted since the selection: no longer a candidate (as a selected answer without a profile is none).
    if (!facts.customer) return 'gone';
    decision = decideFor(ports, run, facts, facts.customer);
    if (decision.kind !== 'send' && decision.kind !== 'resume') return decision;
  }
  return { kind: 'skip', reason: 'alreadySent' }; // still contended after retries: another run is mailing them
}

const decideFor = (ports: CampaignPorts, run: CampaignRun, facts: MailingFacts | undefined, customer: Recipient): Decision =>
  decide({
    customer: facts?.customer ?? customer,
    state: facts?.state,
    ledger: facts?.ledger,
    campaignId: run.campaignId,
    runDate: run.date,
    runId: run.runId,
    frequencyCapDays: ports.settings.frequencyCapDays,
  });

interface PageResult {
  counts: RunCounts;
  next?: SelectionCursor;
  recipients: Recipients[];
  deferred?: SendDeferred;
}

/** Reads one page of the selection and mails it (or, dry, says whom it would mail). Sends run a few at a time. */
async function processPage(ports: CampaignPorts, run: CampaignRun, dryRun: boolean): Promise<PageResult> {
  const { db, settings } = ports;
  const cursor = run.cursor ?? { partition: 0 };
  const partitions = partitionsOf(selectionQueries(run.campaignId, run.date, settings));
  const { items, next } = await readSelectionPage(db, partitions, cursor, pageSize(settings));
  const candidates = await candidatesOf(ports, run, items, cursor.after, dryRun);
  const facts = await readMailingFacts(db, run.campaignId, candidates.map((c) => ({ customerId: c.customer.customerId, period: c.period })));
  const ring = await ports.keyring();
  const counts = emptyCounts();
  counts.selected = candidates.length;
  const recipients: Recipients[] = [];
  let deferred: SendDeferred | undefined;

  const handle = async (candidate: Candidate) => {
    const id = candidate.customer.customerId;
    let decision: Decision | 'claimed' = decideFor(ports, run, facts.get(id), candidate.customer);
    if (decision.kind === 'skip') return void counts.skipped[decision.reason]++;
    if (decision.kind === 'sentByThisRun') return void counts.sent++;
    if (decision.kind === 'failedByThisRun') return void counts.failed++;
    const email = render(ports, run, candidate, ring);
    if (dryRun) return void recipients.push({ customerId: id, email: candidate.customer.email, subject: email.subject });

    const claimed = await claim(ports, run, candidate, decision, email);
    if (claimed === 'gone') return void counts.selected--;
    if (claimed !== 'claimed') {
      if (claimed.kind === 'skip') counts.skipped[claimed.reason]++;
      else if (claimed.kind === 'sentByThisRun') counts.sent++;
      else if (claimed.kind === 'failedByThisRun') counts.failed++;
      return;
    }
    const entry = { customerId: id, campaignId: run.campaignId, period: candidate.period, runId: run.runId };
    try {
      const { messageId } = await ports.send({
        to: candidate.customer.email,
        subject: email.subject,
        html: email.html,
        text: email.text,
        headers: listUnsubscribeHeaders(email.unsubscribeUrl),
        tags: { campaign: run.campaignId, customer: customerTag.encode(id) },
      });
      await recordEmailOutcome(db, entry, { status: 'sent', messageId, sentAt: new Date(ports.now()).toISOString() });
      counts.sent++;
      if (CAMPAIGNS[run.campaignId].notifiesTeam && candidate.answer) {
        await ports
          .notifyTeam({
            customerId: id,
            name: candidate.customer.name,
            email: candidate.customer.email,
            score: candidate.answer.nps,
            comment: candidate.answer.comment,
            campaignId: run.campaignId,
            runDate: run.date,
          })
          .catch((error: unknown) => {
            // The customer's email went out; a lost team notice must not fail the run.
            logger.error('TeamNotificationFailed', { runId: run.runId, customerId: id, error: (error as Error).name });
            emitMetric('TeamNotificationFailed', 1, { campaignId: run.campaignId });
          });
      }
    } catch (error) {
      if (error instanceof SendDeferred) {
        // SES said no: nothing went out, so the entry may be sent later, by this run or another of the period.
        await recordEmailOutcome(db, entry, { status: 'deferred', reason: error.reason });
        deferred ??= error;
        emitMetric('AppreciationDeferred', 1, { campaignId: run.campaignId });
        return;
      }
      if (!(error instanceof SendFailed)) throw error;
      await recordEmailOutcome(db, entry, { status: 'failed', reason: error.code });
      counts.failed++;
      logger.warn('AppreciationFailed', { runId: run.runId, customerId: id, code: error.code });
    }
  };

  const queue = [...candidates];
  const workers = Math.max(1, Math.min(16, Math.ceil(settings.maxSendRate)));
  // An unexpected error (DynamoDB throttling, a network fault) stops every worker of the page before it is thrown:
  // nothing goes on sending once the caller settles the run.
  let failure: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: workers }, async () => {
      for (let candidate = queue.shift(); candidate && !deferred && !failure; candidate = queue.shift()) {
        try {
          await handle(candidate);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw failure.error;
  return { counts, next, recipients, deferred };
}

// ---- runs --------------------------------------------------------------------------------------------------

/** A page that fails (not SES: DynamoDB, the network) is handed on this many times in a row, then left to the next schedule. */
const MAX_PAGE_FAILURES = 3;

/**
 * Works on a leased run until it is done, paused by SES, or out of time (then hands it to a fresh invocation). A page
 * that fails is not committed: the run is settled `running` (lease released) and handed on.
 */

async function work(ports: CampaignPorts, run: CampaignRun, owner: string, deadlineMs: number, failures = 0): Promise<CampaignRun> {
  for (;;) {
    if (run.cursor === undefined) {
      await settleRun(ports.db, run, owner, { status: 'done' }, ports.now());
      logger.info('CampaignRunDone', { campaignId: run.campaignId, runId: run.runId, sent: run.sent, selected: run.selected });
      return run;
    }
    if (deadlineMs - ports.now() < pageTimeMs(ports.settings)) {
      await settleRun(ports.db, run, owner, { status: 'running' }, ports.now());
      await ports.continueRun({ continueRun: { campaignId: run.campaignId, runId: run.runId } });
      logger.info('CampaignRunContinued', { campaignId: run.campaignId, runId: run.runId, pages: run.pages });
      return run;
    }
    let page: PageResult;
    try {
      page = await processPage(ports, run, false);
    } catch (error) {
      // Every worker of the page has stopped. The page's counts are not committed: it is read again by the next
      // invocation, where this run's own ledger entries count once. Release the lease and hand on.
      logger.error('CampaignPageFailed', { campaignId: run.campaignId, runId: run.runId, pages: run.pages, error: error as Error });
      emitMetric('CampaignPageFailed', 1, { campaignId: run.campaignId });
      await settleRun(ports.db, run, owner, { status: 'running' }, ports.now());
      if (failures + 1 < MAX_PAGE_FAILURES) {
        await ports.continueRun({ continueRun: { campaignId: run.campaignId, runId: run.runId, failures: failures + 1 } });
      }
      // Else the run stays `running` with its lease released: the campaign's next schedule picks it up.
      return run;
    }
    if (page.deferred) {
      // The page's counts are not committed: the page is read again on resume, where this run's sent entries count once.
      const resumeAfter = ports.now() + page.deferred.retryAfterMs;
      await settleRun(ports.db, run, owner, { status: 'paused', resumeAfter, reason: page.deferred.reason }, ports.now());
      run.resumeAfter = resumeAfter;
      logger.warn('CampaignRunPaused', { campaignId: run.campaignId, runId: run.runId, reason: page.deferred.reason });
      emitMetric('CampaignRunPaused', 1, { campaignId: run.campaignId });
      return run;
    }
    await commitPage(ports.db, run, owner, page.counts, page.next, ports.now());
    failures = 0;
    Object.assign(run, addCounts(run, page.counts));
    // One metric line per page, not per email: a million-email run stays a few thousand log lines.
    emitMetric('AppreciationSent', page.counts.sent, { campaignId: run.campaignId });
    if (page.counts.failed) emitMetric('AppreciationFailed', page.counts.failed, { campaignId: run.campaignId });
  }
}

export interface StartRun {
  campaignId: CampaignId;
  date: string;
  dryRun: boolean;
  linkBaseUrl: string;
}

/**
 * A dry run reads the selection and decides, but claims, sends and records nothing. It has the budget of the call
 * that asked for it: when the budget runs out it stops and says so (`truncated: true`), with what it counted so far.
 */
async function dryRun(ports: CampaignPorts, input: StartRun, budgetMs: number): Promise<RunReport> {
  const run = newRun(ports, input);
  const deadline = ports.now() + budgetMs - SAFETY_MARGIN_MS;
  let counts = emptyCounts();
  const recipients: Recipients[] = [];
  let wouldSend = 0;
  let truncated = false;
  for (;;) {
    const page = await processPage(ports, run, true);
    counts = addCounts(counts, page.counts);
    wouldSend += page.recipients.length;
    recipients.push(...page.recipients.slice(0, DRY_RUN_LISTED - recipients.length));
    if (!page.next) break;
    run.cursor = page.next;
    if (ports.now() >= deadline) {
      truncated = true;
      break;
    }
  }
  return {
    runId: run.runId,
    campaignId: run.campaignId,
    date: run.date,
    dryRun: true,
    status: 'done',
    ...counts,
    wouldSend,
    recipients,
    ...(wouldSend > recipients.length ? { recipientsTruncated: true } : {}),
    ...(truncated ? { truncated: true } : {}),
  };
}

function newRun(ports: CampaignPorts, input: StartRun): CampaignRun {
  const nowMs = ports.now();
  const now = new Date(nowMs).toISOString();
  return {
    runId: newId(nowMs),
    campaignId: input.campaignId,
    date: input.date,
    status: 'running',
    instantMs: runInstant(input.date, nowMs, ports.settings.timeZone),
    linkBaseUrl: input.linkBaseUrl.replace(/\/+$/, ''),
    cursor: { partition: 0 },
    pages: 0,
    ...emptyCounts(),
    createdAt: now,
    updatedAt: now,
  };
}

/** Starts a run and works on it within the budget; the report says `done`, or `running` when it goes on elsewhere. */
export async function startRun(ports: CampaignPorts, input: StartRun, budgetMs: number): Promise<RunReport> {
  if (input.dryRun) return dryRun(ports, input, budgetMs);
  const run = newRun(ports, input);
  await createRun(ports.db, run);
  logger.info('CampaignRunStarted', { campaignId: run.campaignId, runId: run.runId, date: run.date });
  return reportOf(await leaseAndWork(ports, run.campaignId, run.runId, budgetMs));
}

/** Goes on with a run in this invocation; a run someone else holds, or that is done or still paused, is left alone. */
export async function continueRun(ports: CampaignPorts, job: ContinueRunJob['continueRun'], budgetMs: number) {
  const failures = Number.isInteger(job.failures) && job.failures! > 0 ? job.failures! : 0;
  return leaseAndWork(ports, job.campaignId, job.runId, budgetMs, failures);
}

async function leaseAndWork(ports: CampaignPorts, campaignId: CampaignId, runId: string, budgetMs: number, failures = 0): Promise<CampaignRun> {
  const owner = newId();
  const started = ports.now();
  // The lease outlives the invocation by a minute: a crashed invocation's run is free again soon after.
  const run = await leaseRun(ports.db, campaignId, runId, owner, started, budgetMs + 60_000);
  if (!run) {
    logger.info('CampaignRunBusy', { campaignId, runId });
    return (await getRun(ports.db, campaignId, runId))!;
  }
  return work(ports, run, owner, started + budgetMs, failures);
}

/** Whether a run is paused and its pause is over: anything that looks at it may hand it on. */
export const isResumable = (run: CampaignRun, nowMs: number): boolean => run.status === 'paused' && (run.resumeAfter ?? 0) <= nowMs;

/**
 * Hands on the campaign's paused runs whose pause is over (a new POST of the campaign does this, so a paused run
 * does not wait for the next daily schedule). The lease decides who works on each: a duplicate hand-off is harmless.
 */
export async function resumeDueRuns(ports: CampaignPorts, campaignId: CampaignId): Promise<void> {
  const nowMs = ports.now();
  for (const run of await unfinishedRuns(ports.db, campaignId)) {
    if (isResumable(run, nowMs)) await ports.continueRun({ continueRun: { campaignId, runId: run.runId } });
  }
}

/**
 * A schedule's tick: first hands on unfinished runs of the campaign (paused ones whose pause is over, running
 * ones whose invocation was lost), then runs today, today being the date in the schedule's time zone.
 */
export async function runScheduled(ports: CampaignPorts, campaignId: CampaignId, linkBaseUrl: string, budgetMs: number) {
  const nowMs = ports.now();
  for (const run of await unfinishedRuns(ports.db, campaignId)) {
    if (run.status === 'paused' && (run.resumeAfter ?? 0) > nowMs) continue;
    await ports.continueRun({ continueRun: { campaignId, runId: run.runId } });
  }
  const date = localDate(nowMs, ports.settings.timeZone);
  return startRun(ports, { campaignId, date, dryRun: false, linkBaseUrl }, budgetMs);
}
