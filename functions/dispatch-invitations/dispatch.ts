import { windowOpening } from '#core/invitations/rules.ts';
import { DEFAULT_INVITE_EXPIRES_IN_DAYS } from '#core/invitations/settings.ts';
import { newId } from '#core/ids.ts';
import type { MailingFacts, Recipient } from '#core/mail/ports.ts';
import type { Invitation } from '#data/invitations.ts';
import { INVITATION_DUE_SHARDS } from '#data/keys.ts';
import { logger } from '#runtime/logger.ts';
import { mailBatch } from '../mail/pipeline.ts';
import { INVITATION_RULES, invitationEmailKind, periodOf, type InvitationCandidate } from './invitation-email.ts';
import type { DispatchCounts, DispatchPorts, DispatchResult, DispatchSurvey } from './ports.ts';

/**
 * One dispatch as of `at`: reads the due index shard by shard (never a scan) and, for each due invitation as it is
 * now, does what is due: a scheduled one is sent (or waits for the customer's send window, or is skipped when the
 * contact rules no longer allow it); a sent one is reminded once, or expires. Sends go through the mail pipeline,
 * whose ledger claim makes concurrent and repeated dispatches send each invitation and reminder at most once.
 * Actions are dated `at` (sentAt, remindedAt), so every item handled leaves the due range of this dispatch.
 */

const DAY_MS = 86_400_000;
/**
 * A claim this old without an outcome belongs to a dispatch that died: every dispatch ends within Lambda's 15 minutes,
 * and records each outcome seconds after its claim.
 */
const ABANDONED_CLAIM_MS = 20 * 60_000;
/** By the clock claims are stamped with, not the dispatch's `at` (a dispatch may run as of another time). */
const abandoned = (claimedAt: string | undefined, nowMs: number) =>
  claimedAt !== undefined && Date.parse(claimedAt) < nowMs - ABANDONED_CLAIM_MS;
/** Due items read per query: one mail batch. */
export const DISPATCH_PAGE = 100;
/** Shards dispatched side by side. */
const SHARDS_AT_ONCE = 4;

type Action =
  | { kind: 'send'; invitation: Invitation; survey: DispatchSurvey; email: 'invitation' | 'reminder'; expiresAt: string }
  | { kind: 'defer'; invitation: Invitation; until: number }
  | { kind: 'expire'; invitation: Invitation }
  | { kind: 'redue'; invitation: Invitation; dueAt: string }
  | { kind: 'skip'; invitation: Invitation; reason: string };

const iso = (ms: number) => new Date(ms).toISOString();

export const emptyDispatchCounts = (): DispatchCounts => ({
  sent: 0,
  reminded: 0,
  expired: 0,
  deferred: 0,
  skipped: 0,
  failed: 0,
});

/** What is due for one invitation as it is now, at `atMs`; undefined when nothing is (it moved on meanwhile). */
export function actionOf(
  invitation: Invitation,
  survey: DispatchSurvey | undefined,
  customer: Recipient | undefined,
  atMs: number,
  ports: Pick<DispatchPorts, 'settings'>,
): Action | undefined {
  const { settings } = ports;
  const opening = () => windowOpening(atMs, customer?.timezone ?? settings.timeZone, settings.sendWindow);
  if (invitation.status === 'scheduled') {
    if (Date.parse(invitation.sendAt) > atMs) return undefined;
    if (!survey) return { kind: 'skip', invitation, reason: 'unknownSurvey' };
    if (!customer) return { kind: 'skip', invitation, reason: 'unknownCustomer' };
    if (customer.unsubscribed) return { kind: 'skip', invitation, reason: 'unsubscribed' };
    if (customer.suppressed) return { kind: 'skip', invitation, reason: 'suppressed' };
    const until = opening();
    if (until > atMs) return { kind: 'defer', invitation, until };
    const days = survey.invite?.expiresInDays ?? DEFAULT_INVITE_EXPIRES_IN_DAYS;
    return { kind: 'send', invitation, survey, email: 'invitation', expiresAt: iso(atMs + days * DAY_MS) };
  }
  if (invitation.status !== 'sent' || !invitation.sentAt || !invitation.expiresAt) return undefined;
  const expiresMs = Date.parse(invitation.expiresAt);
  if (expiresMs <= atMs) return { kind: 'expire', invitation };
  const remindAfterDays = survey?.invite?.remindAfterDays ?? 0;
  const remindMs = Date.parse(invitation.sentAt) + remindAfterDays * DAY_MS;
  const reminderDue = remindAfterDays > 0 && !invitation.remindedAt && remindMs <= atMs;
  // Nothing left but the expiry (no reminder, or no longer mailable): wait for it.
  if (!reminderDue || !survey || !customer || customer.unsubscribed || customer.suppressed) {
    return { kind: 'redue', invitation, dueAt: invitation.expiresAt };
  }
  const until = opening();
  if (until >= expiresMs) return { kind: 'redue', invitation, dueAt: invitation.expiresAt };
  if (until > atMs) return { kind: 'defer', invitation, until };
  return { kind: 'send', invitation, survey, email: 'reminder', expiresAt: invitation.expiresAt };
}

/**
 * When a just-sent invitation is next due: its reminder, or its expiry when that comes first or there is no reminder
 * (a reminder due at or after the link's end is never sent).
 */
function dueAfterSending(survey: DispatchSurvey, sentAt: string, expiresAt: string): string {
  const remindAfterDays = survey.invite?.remindAfterDays ?? 0;
  const remindAt = iso(Date.parse(sentAt) + remindAfterDays * DAY_MS);
  return remindAfterDays > 0 && remindAt < expiresAt ? remindAt : expiresAt;
}

/**
 * Dispatches what is due at `atMs` until done or `deadlineMs`. Stops at once when SES defers (throttled, quota) or
 * refuses the account: what was not sent stays due for the next tick.
 */
export async function dispatchDue(ports: DispatchPorts, atMs: number, deadlineMs: number): Promise<DispatchResult> {
  const at = iso(atMs);
  const counts = emptyDispatchCounts();
  const run = { runId: newId(ports.now()), date: at.slice(0, 10) };
  const ring = await ports.keyring();
  const surveys = new Map<string, Promise<DispatchSurvey | undefined>>();
  const surveyOf = (surveyId: string) => {
    if (!surveys.has(surveyId)) surveys.set(surveyId, ports.invitations.survey(surveyId));
    return surveys.get(surveyId)!;
  };
  const sentByThisRun = new Set<string>();
  const kind = invitationEmailKind(ports, ring, async (candidate) => {
    sentByThisRun.add(candidate.period);
    const { invitation, email, expiresAt } = candidate;
    try {
      if (email === 'invitation') {
        const dueAt = dueAfterSending(candidate.survey, at, expiresAt);
        await ports.invitations.move(invitation, 'scheduled', { status: 'sent', sentAt: at, expiresAt }, dueAt);
        counts.sent++;
      } else {
        await ports.invitations.move(invitation, 'sent', { remindedAt: at }, expiresAt);
        counts.reminded++;
      }
    } catch (error) {
      // The email went out and its ledger entry says so: the next dispatch finds it and moves the invitation on.
      logger.error('InvitationMoveFailed', { invitationId: invitation.invitationId, error: error as Error });
    }
  });
  /** One shard's due items, page by page: `more` when the deadline came first, or why SES stopped the dispatch. */
  const dispatchShard = async (shard: number): Promise<string | undefined> => {
    const seen = new Set<string>();
    for (;;) {
      if (ports.now() >= deadlineMs || halt) return 'more';
      const due = (await ports.invitations.due(shard, at, DISPATCH_PAGE)).filter((i) => !seen.has(i.invitationId));
      if (!due.length) return undefined; // done, or only items another dispatcher holds: the next tick sees them again
      for (const i of due) seen.add(i.invitationId);
      const fresh = await ports.invitations.get(due.map((i) => i.invitationId));
      // Only the customers, to decide: the pipeline's claim checks the rest (ledger, address), and reads them if it loses.
      const customers = await ports.invitations.recipients(fresh.map((i) => i.customerId));
      const candidates: InvitationCandidate[] = [];
      const moves: Array<Promise<void>> = [];
      for (const invitation of fresh) {
        const customer = customers.get(invitation.customerId);
        const action = actionOf(invitation, await surveyOf(invitation.surveyId), customer, atMs, ports);
        if (!action) continue;
        if (action.kind === 'send') {
          candidates.push({ ...action, customer: customer!, period: periodOf(invitation.invitationId, action.email) });
        } else moves.push(apply(ports, action, counts));
      }
      await Promise.all(moves);
      const stopped = await send(ports, kind, run, at, candidates, counts, sentByThisRun, deadlineMs);
      if (stopped) return stopped === 'unfinished' ? 'more' : stopped;
      if (due.length < DISPATCH_PAGE) return undefined;
    }
  };

  // A few shards at a time: one page's tail (its last sends) overlaps the next shard's reads.
  const shards = Array.from({ length: INVITATION_DUE_SHARDS }, (_, shard) => shard);
  let halt: string | undefined;
  let failure: { error: unknown } | undefined;
  await Promise.all(
    Array.from({ length: SHARDS_AT_ONCE }, async () => {
      for (let shard = shards.shift(); shard !== undefined && !halt; shard = shards.shift()) {
        try {
          const outcome = await dispatchShard(shard);
          if (outcome && (!halt || halt === 'more')) halt = outcome; // SES's reason outranks the deadline
        } catch (error) {
          failure ??= { error };
          halt = 'error';
        }
      }
    }),
  );
  if (failure) throw failure.error;
  if (halt === 'more') return { ...counts, more: true };
  if (halt) return { ...counts, more: true, stopped: halt };
  return { ...counts, more: false };
}

async function apply(ports: DispatchPorts, action: Exclude<Action, { kind: 'send' }>, counts: DispatchCounts) {
  const { invitation } = action;
  const from = invitation.status;
  if (action.kind === 'defer') {
    const until = iso(action.until);
    const moved = await ports.invitations.move(invitation, from, from === 'scheduled' ? { sendAt: until } : {}, until);
    if (moved) counts.deferred++;
  } else if (action.kind === 'expire') {
    if (await ports.invitations.move(invitation, from, { status: 'expired' }, null)) counts.expired++;
  } else if (action.kind === 'redue') {
    await ports.invitations.move(invitation, from, {}, action.dueAt);
  } else if (await ports.invitations.move(invitation, from, { status: 'skipped', reason: action.reason }, null)) {
    counts.skipped++;
  }
}

/**
 * Sends a page's candidates through the pipeline, one customer per batch at a time (facts are read by customer, after
 * a lost claim and in `settle`), then settles those it did not send from their ledger entries: failed for good,
 * deferred by SES (they stay due), or held by another dispatcher. Returns why the dispatch must stop, if it must.
 */
async function send(
  ports: DispatchPorts,
  kind: ReturnType<typeof invitationEmailKind>,
  run: { runId: string; date: string },
  at: string,
  candidates: InvitationCandidate[],
  counts: DispatchCounts,
  sentByThisRun: Set<string>,
  deadlineMs: number,
): Promise<string | undefined> {
  const concurrency = Math.min(16, Math.ceil(ports.settings.maxSendRate));
  let rest = candidates;
  while (rest.length) {
    const customers = new Set<string>();
    const batch: InvitationCandidate[] = [];
    const later: InvitationCandidate[] = [];
    for (const c of rest) {
      if (customers.has(c.customer.customerId)) {
        later.push(c);
      } else {
        customers.add(c.customer.customerId);
        batch.push(c);
      }
    }
    rest = later;
    const result = await mailBatch({ store: ports.mail, send: ports.send, now: ports.now }, kind, run, batch, {
      dryRun: false,
      concurrency,
      deadlineMs,
    });
    await settle(
      ports,
      batch.filter((c) => !sentByThisRun.has(c.period)),
      counts,
      at,
    );
    if (result.blocked) return 'blocked';
    if (result.deferred) return result.deferred.reason;
    if (result.unfinished) return 'unfinished';
  }
  return undefined;
}

/** Candidates the batch did not send, as their ledger entries and customers say now. */
async function settle(ports: DispatchPorts, unsent: InvitationCandidate[], counts: DispatchCounts, at: string) {
  if (!unsent.length) return;
  // One candidate per customer in a batch: the facts, keyed by customer, are each candidate's own.
  const facts = await ports.mail.readMailingFacts(
    INVITATION_RULES.stream,
    unsent.map((c) => ({ customerId: c.customer.customerId, period: c.period })),
    { consistent: true },
  );
  for (const c of unsent) {
    const { ledger, customer, address }: MailingFacts = facts.get(c.customer.customerId) ?? {};
    const { invitation } = c;
    const reminder = c.email === 'reminder';
    const close = (status: 'skipped' | 'failed', reason: string) =>
      reminder
        ? ports.invitations.move(invitation, 'sent', {}, c.expiresAt)
        : ports.invitations.move(invitation, 'scheduled', { status, reason }, null);
    if (ledger?.status === 'failed') {
      if (await close('failed', 'sendFailed')) counts.failed++;
    } else if (ledger?.status === 'deferred') {
      counts.deferred++; // SES refused it for now: it stays due and the next dispatch resumes it
    } else if (ledger?.status === 'sent' && !reminder) {
      // Sent by a dispatch that stopped before moving it on (or moving it now): move it, once.
      const dueAt = dueAfterSending(c.survey, at, c.expiresAt);
      await ports.invitations.move(invitation, 'scheduled', { status: 'sent', sentAt: at, expiresAt: c.expiresAt }, dueAt);
    } else if (ledger?.status === 'sent') {
      await ports.invitations.move(invitation, 'sent', { remindedAt: at }, c.expiresAt);
    } else if (
      !ledger &&
      (!customer || customer.unsubscribed || customer.suppressed || address?.unsubscribed || address?.suppressed)
    ) {
      // The address counts too: another customer with it may have stopped it, which this customer's item does not say.
      const reason = !customer
        ? 'unknownCustomer'
        : customer.unsubscribed || address?.unsubscribed
          ? 'unsubscribed'
          : 'suppressed';
      if (await close('skipped', reason)) counts.skipped++;
    } else if (ledger?.status === 'claimed' && abandoned(ledger.claimedAt, ports.now())) {
      // Claimed by a dispatch that died between the claim and the outcome: the email may have gone out, and a send
      // whose outcome is unknown is never repeated. The invitation fails (a reminder is dropped): it leaves the due index.
      if (await close('failed', 'sendOutcomeUnknown')) counts.failed++;
    }
    // Claimed by another dispatcher (it moves it on), or not started before a stop: it stays due.
  }
}
