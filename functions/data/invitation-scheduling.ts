import { newId } from '#core/ids.ts';
import { emptySkips, inviteProblem, type InvitationSkipReason, type InviteFacts } from '#core/invitations/rules.ts';
import { batchGet, type Db, type Item } from './db.ts';
import {
  readInviteStates,
  recordSkippedInvitation,
  scheduleInvitations,
  type InvitationTrigger,
  type InviteState,
  type NewInvitation,
} from './invitations.ts';
import { keys } from './keys.ts';
import { answeredSince } from './responses.ts';

/**
 * Scheduling invitations under the contact rules, for a list of customers (`POST …/invitations`) and for one
 * customer at a time (events, the cadence): read the facts, decide with `inviteProblem`, schedule atomically, and on a
 * lost condition (a concurrent invitation) read again and decide again.
 */

const DAY_MS = 86_400_000;
/** Decisions after a lost condition: each loss means another invitation landed, so the facts settle quickly. */
const ATTEMPTS = 4;
/** Customers scheduled at once: each is a transaction of its own. */
const CONCURRENCY = 8;

export interface ContactSettings {
  /** Config `surveyThrottleDays` (0: off). */
  throttleDays: number;
}

/** What a survey brings to the contact rules. */
export interface SurveyRules {
  surveyId: string;
  recontactDays: number;
}

/** The contact rules' view of a customer item (absent: no such customer). */
export const customerFacts = (item: Item | undefined): InviteFacts['customer'] =>
  item && { unsubscribed: item.unsubscribed === true, suppressed: item.suppressed === true };

/**
 * Why one invitation may not be made, or null. The customer's answers are read only when they could change the
 * outcome (the survey has `recontactDays` and nothing else stands in the way but, perhaps, the throttle).
 */
export async function invitationProblem(
  db: Db,
  survey: SurveyRules,
  customerId: string,
  facts: { customer: InviteFacts['customer']; state: InviteState | undefined },
  sendAtMs: number,
  settings: ContactSettings,
): Promise<InvitationSkipReason | null> {
  const limits = { throttleDays: settings.throttleDays, recontactDays: survey.recontactDays };
  const known: InviteFacts = {
    customer: facts.customer,
    lastInvitedAt: facts.state?.lastInvitedAt,
    openInvitationId: facts.state?.open[survey.surveyId],
  };
  const problem = inviteProblem(known, limits, sendAtMs);
  if ((problem !== null && problem !== 'throttled') || survey.recontactDays === 0) return problem;
  const since = new Date(sendAtMs - survey.recontactDays * DAY_MS).toISOString();
  if (!(await answeredSince(db, customerId, survey.surveyId, since))) return problem;
  return inviteProblem({ ...known, lastAnsweredAt: new Date(sendAtMs).toISOString() }, limits, sendAtMs);
}

export interface InviteManyResult {
  scheduled: number;
  skipped: Record<InvitationSkipReason, number>;
  invitations: Array<{ invitationId: string; customerId: string; sendAt: string }>;
}

/**
 * Invites each customer (duplicates count once) to a survey at `sendAt` under the contact rules. Skips are recorded
 * as `skipped` invitations with their reason, except for customers who do not exist. A dry run decides the same way
 * and stores nothing (its invitation ids are not stored).
 */
export async function inviteCustomers(
  db: Db,
  survey: SurveyRules,
  customerIds: readonly string[],
  options: { sendAt: string; now: string; trigger: InvitationTrigger; dryRun: boolean; settings: ContactSettings },
): Promise<InviteManyResult> {
  const unique = [...new Set(customerIds)];
  const customers = new Map(
    (await batchGet(db, unique.map(keys.customer), { consistent: true })).map((item) => [String(item.customerId), item]),
  );
  const states = await readInviteStates(db, unique);
  const result: InviteManyResult = { scheduled: 0, skipped: emptySkips(), invitations: [] };
  const sendAtMs = Date.parse(options.sendAt);

  const inviteOne = async (customerId: string) => {
    const customer = customerFacts(customers.get(customerId));
    let state = states.get(customerId);
    for (let attempt = 1; ; attempt++) {
      const problem = await invitationProblem(db, survey, customerId, { customer, state }, sendAtMs, options.settings);
      const invitation: NewInvitation = {
        invitationId: newId(),
        surveyId: survey.surveyId,
        customerId,
        trigger: options.trigger,
        sendAt: options.sendAt,
      };
      if (problem) {
        result.skipped[problem]++;
        if (!options.dryRun && problem !== 'unknownCustomer') await recordSkippedInvitation(db, invitation, problem, options.now);
        return;
      }
      const stored =
        options.dryRun ||
        (await scheduleInvitations(db, customerId, [invitation], {
          now: options.now,
          throttleDays: options.settings.throttleDays,
        }));
      if (stored) {
        result.scheduled++;
        result.invitations.push({ invitationId: invitation.invitationId, customerId, sendAt: invitation.sendAt });
        return;
      }
      if (attempt >= ATTEMPTS) throw new Error(`Invite state of ${customerId} kept changing while scheduling.`);
      state = (await readInviteStates(db, [customerId])).get(customerId);
    }
  };
  await inParallel(unique, CONCURRENCY, inviteOne);
  // The answer lists the invitations in the order the customers were given.
  const order = new Map(unique.map((id, i) => [id, i]));
  result.invitations.sort((a, b) => order.get(a.customerId)! - order.get(b.customerId)!);
  return result;
}

/** Runs `work` over the items, at most `limit` at once; the first failure is thrown once all have stopped. */
export async function inParallel<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const failures: unknown[] = [];
  const worker = async () => {
    while (next < items.length && failures.length === 0) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failures.push(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failures.length) throw failures[0];
}
