import type { CampaignId } from '#core/campaigns/registry.ts';
import type { CampaignRun, RunSettlement } from '#core/campaigns/store.ts';
import { localDate, runInstant } from '#core/dates.ts';
import { newId } from '#core/ids.ts';
import { addCounts, emptyCounts } from '#core/mail/policy.ts';
import { logger } from '#runtime/logger.ts';
import { emitMetric } from '#runtime/metrics.ts';
import { pageTimeMs, processPage, SAFETY_MARGIN_MS, type PageResult } from './page.ts';
import type { CampaignPorts, ContinueRunJob, Recipients, RunReport } from './ports.ts';

/**
 * A campaign run's lifecycle: create, lease, work page by page, and settle (done, paused by SES, or handed on to
 * a fresh invocation). Each page goes through the mail pipeline (page.ts); the run record makes its counts exact
 * whatever is retried.
 */

const DRY_RUN_LISTED = 1000;
/** A run SES refused for the account tries again after this long (one send, given back if still refused). */
export const BLOCKED_RETRY_MS = 3_600_000;
/** A page that fails (not SES: DynamoDB, the network) is handed on this many times in a row, then left to the next schedule. */
const MAX_PAGE_FAILURES = 3;

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
    ...(run.status === 'paused' && run.pauseReason ? { pauseReason: run.pauseReason } : {}),
  };
}

async function settle(ports: CampaignPorts, run: CampaignRun, owner: string, how: RunSettlement) {
  await ports.store.settleRun(run, owner, how, ports.now());
  run.status = how.status;
}

/** Out of time: releases the lease and goes on in a fresh invocation. */
async function handOn(ports: CampaignPorts, run: CampaignRun, owner: string): Promise<CampaignRun> {
  const { campaignId, runId } = run;
  await settle(ports, run, owner, { status: 'running' });
  await ports.continueRun({ continueRun: { campaignId, runId } });
  logger.info('CampaignRunContinued', { campaignId, runId, pages: run.pages });
  return run;
}

/**
 * Works on a leased run until it is done, paused by SES, or out of time (then hands it to a fresh invocation). A page
 * that fails is not committed: the run is settled `running` (lease released) and handed on.
 */
async function work(
  ports: CampaignPorts,
  run: CampaignRun,
  owner: string,
  deadlineMs: number,
  failures = 0,
): Promise<CampaignRun> {
  const { campaignId, runId } = run;
  for (;;) {
    if (run.cursor === undefined) {
      await settle(ports, run, owner, { status: 'done' });
      logger.info('CampaignRunDone', { campaignId, runId, sent: run.sent, selected: run.selected });
      return run;
    }
    if (deadlineMs - ports.now() < pageTimeMs(ports.settings)) return handOn(ports, run, owner);
    let page: PageResult;
    try {
      page = await processPage(ports, run, false, deadlineMs - SAFETY_MARGIN_MS);
    } catch (error) {
      // Every worker of the page has stopped. The page's counts are not committed: it is read again by the next
      // invocation, where this run's own ledger entries count once. Release the lease and hand on.
      logger.error('CampaignPageFailed', { campaignId, runId, pages: run.pages, error: error as Error });
      emitMetric('CampaignPageFailed', 1, { campaignId });
      await settle(ports, run, owner, { status: 'running' });
      if (failures + 1 < MAX_PAGE_FAILURES) {
        await ports.continueRun({ continueRun: { campaignId, runId, failures: failures + 1 } });
      }
      // Else the run stays `running` with its lease released: the campaign's next schedule picks it up.
      return run;
    }
    if (page.blocked) {
      // An account problem (access, identity, configuration set, paused sending): no email of this run went out,
      // and no customer used up a turn. The run waits, visibly, and tries again by itself; a person must fix SES.
      const resumeAfter = ports.now() + BLOCKED_RETRY_MS;
      const reason = `blocked: ${page.blocked.code}`;
      await settle(ports, run, owner, { status: 'paused', resumeAfter, reason });
      Object.assign(run, { resumeAfter, pauseReason: reason });
      logger.error('CampaignRunBlocked', { campaignId, runId, code: page.blocked.code, detail: page.blocked.detail });
      emitMetric('CampaignRunBlocked', 1, { campaignId });
      return run;
    }
    if (page.deferred) {
      // The page's counts are not committed: the page is read again on resume, where this run's sent entries count once.
      const resumeAfter = ports.now() + page.deferred.retryAfterMs;
      await settle(ports, run, owner, { status: 'paused', resumeAfter, reason: page.deferred.reason });
      Object.assign(run, { resumeAfter, pauseReason: page.deferred.reason });
      logger.warn('CampaignRunPaused', { campaignId, runId, reason: page.deferred.reason });
      emitMetric('CampaignRunPaused', 1, { campaignId });
      return run;
    }
    // Out of time mid-page (slow sends): not committed; the next invocation reads the page again, where what this run
    // already sent counts once.
    if (page.unfinished) return handOn(ports, run, owner);
    await ports.store.commitPage(run, owner, page.counts, page.next, ports.now());
    failures = 0;
    Object.assign(run, addCounts(run, page.counts), { pages: run.pages + 1, cursor: page.next });
    // One metric line per page, not per email: a million-email run stays a few thousand log lines.
    emitMetric('AppreciationSent', page.counts.sent, { campaignId });
    if (page.counts.failed) emitMetric('AppreciationFailed', page.counts.failed, { campaignId });
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
 * A page does not start when the last one took longer than the time left, and stops within itself at the deadline.
 */
async function dryRun(ports: CampaignPorts, input: StartRun, budgetMs: number): Promise<RunReport> {
  const run = newRun(ports, input);
  const deadline = ports.now() + budgetMs - SAFETY_MARGIN_MS;
  let counts = emptyCounts();
  const recipients: Recipients[] = [];
  let wouldSend = 0;
  let truncated = false;
  for (let pages = 0; ; pages++) {
    const started = ports.now();
    // The first page is read whole, so even a cut dry run counts something.
    const page = await processPage(ports, run, true, pages === 0 ? Infinity : deadline);
    const lastPageMs = ports.now() - started;
    counts = addCounts(counts, page.counts);
    wouldSend += page.recipients.length;
    recipients.push(...page.recipients.slice(0, DRY_RUN_LISTED - recipients.length));
    if (!page.next && !page.unfinished) break;
    run.cursor = page.next;
    if (page.unfinished || ports.now() + lastPageMs >= deadline) {
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
  await ports.store.createRun(run);
  logger.info('CampaignRunStarted', { campaignId: run.campaignId, runId: run.runId, date: run.date });
  return reportOf(await leaseAndWork(ports, run.campaignId, run.runId, budgetMs));
}

/** Goes on with a run in this invocation; a run someone else holds, or that is done or still paused, is left alone. */
export async function continueRun(ports: CampaignPorts, job: ContinueRunJob['continueRun'], budgetMs: number) {
  const failures = Number.isInteger(job.failures) && job.failures! > 0 ? job.failures! : 0;
  return leaseAndWork(ports, job.campaignId, job.runId, budgetMs, failures);
}

async function leaseAndWork(
  ports: CampaignPorts,
  campaignId: CampaignId,
  runId: string,
  budgetMs: number,
  failures = 0,
): Promise<CampaignRun> {
  const owner = newId();
  const started = ports.now();
  // The lease outlives the invocation by a minute: a crashed invocation's run is free again soon after.
  const run = await ports.store.leaseRun(campaignId, runId, owner, started, budgetMs + 60_000);
  if (!run) {
    logger.info('CampaignRunBusy', { campaignId, runId });
    return (await ports.store.getRun(campaignId, runId))!;
  }
  return work(ports, run, owner, started + budgetMs, failures);
}

/** Whether a run is paused and its pause is over: anything that looks at it may hand it on. */
export const isResumable = (run: CampaignRun, nowMs: number): boolean =>
  run.status === 'paused' && (run.resumeAfter ?? 0) <= nowMs;

/**
 * Hands on the campaign's paused runs whose pause is over (a new POST of the campaign does this, so a paused run
 * does not wait for the next daily schedule). The lease decides who works on each: a duplicate hand-off is harmless.
 */
export async function resumeDueRuns(ports: CampaignPorts, campaignId: CampaignId): Promise<void> {
  const nowMs = ports.now();
  for (const run of await ports.store.unfinishedRuns(campaignId)) {
    if (isResumable(run, nowMs)) await ports.continueRun({ continueRun: { campaignId, runId: run.runId } });
  }
}

/**
 * The resume sweep (every 5 minutes, manifest schedule `resume-paused-runs`): hands on every campaign's paused runs
 * whose pause is over, so a run paused by SES (throttled, out of quota, blocked for the account) goes on by itself
 * within minutes of its `resumeAfter`. Each goes the way of a continuation; the lease keeps each run to one worker,
 * so two sweeps, or a sweep and a POST, handing on the same run are harmless.
 */
export async function resumePausedRuns(ports: CampaignPorts): Promise<{ handedOn: number }> {
  const nowMs = ports.now();
  // The index may lag a lease by a moment: a run already taken is skipped here, or by the lease.
  const due = (await ports.store.pausedRunsDue(nowMs)).filter((run) => isResumable(run, nowMs));
  let failed = 0;
  for (const { campaignId, runId } of due) {
    // One hand-off failing does not hold back the others; the next sweep tries it again.
    try {
      await ports.continueRun({ continueRun: { campaignId, runId } });
      logger.info('CampaignRunResumed', { campaignId, runId });
    } catch (error) {
      failed++;
      logger.error('ResumeRunFailed', { campaignId, runId, error: error as Error });
    }
  }
  if (failed) throw new Error(`${failed} of ${due.length} paused runs could not be handed on; the next sweep tries again.`);
  return { handedOn: due.length };
}

/**
 * A schedule's tick: first hands on unfinished runs of the campaign (paused ones whose pause is over, running
 * ones whose invocation was lost), then runs today, today being the date in the schedule's time zone.
 */
export async function runScheduled(ports: CampaignPorts, campaignId: CampaignId, linkBaseUrl: string, budgetMs: number) {
  const nowMs = ports.now();
  for (const run of await ports.store.unfinishedRuns(campaignId)) {
    if (run.status === 'paused' && (run.resumeAfter ?? 0) > nowMs) continue;
    await ports.continueRun({ continueRun: { campaignId, runId: run.runId } });
  }
  const date = localDate(nowMs, ports.settings.timeZone);
  return startRun(ports, { campaignId, date, dryRun: false, linkBaseUrl }, budgetMs);
}
