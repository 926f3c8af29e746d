import { addDays } from '../dates.ts';

/**
 * The contact policy every email kind goes through, as a pure function: opted out, suppressed, already mailed for
 * the period, within the frequency cap. The email address is the unit of contact: customers who share an address
 * share its opt-out, its suppression and its claim windows (one email per address per period and cap), besides
 * each customer's own. The store's conditional claim repeats these checks atomically; `decide` also classifies a
 * claim that lost.
 */

/** The form of an email address that identifies it for contact: `A@Example.com ` and `a@example.com` are one. */
export const normaliseAddress = (email: string) => email.trim().toLowerCase();

/** What one kind of email promises about contact: once per period per ledger stream, and a frequency cap. */
export interface ContactRules {
  /** The ledger stream: one entry per customer, stream and period (campaigns use their id). */
  stream: string;
  /** A customer gets this stream at most once in this many days. */
  periodDays: number;
  /** At most one email of the cap group (every appreciation email) per this many days; 0: no cap. */
  capDays: number;
  /**
   * The ledger entry alone says "once": no period window, and outside the cap group (neither held back by it nor
   * counting towards it). For kinds whose period is one item (an invitation: period = its id).
   */
  ledgerOnly?: true;
}

export const SKIP_REASONS = ['unsubscribed', 'frequencyCap', 'alreadySent', 'suppressed'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/**
 * What the ledger knows about a customer: the date (a run's date) each stream was last claimed for, and the real
 * instant any email of the cap group was last claimed. Periods follow run dates; the frequency cap follows the clock,
 * so runs for past dates (a backfill) cannot mail someone again within the cap.
 */
export interface MailState {
  lastSentAt?: string;
  lastOn: Partial<Record<string, string>>;
}

/**
 * What the ledger knows about an email address, whichever customer it was learnt through: an unsubscribe, a bounce
 * or a complaint stops every customer with the address, and its claim windows hold for all of them.
 */
export interface AddressFacts {
  unsubscribed: boolean;
  suppressed: boolean;
  state?: MailState;
}

/** The claim windows a claim replaced, the customer's and their address's: given back if SES refuses the account. */
export interface WindowsBefore {
  customer?: MailState;
  address?: MailState;
}

export type LedgerStatus = 'claimed' | 'sent' | 'deferred' | 'failed';

/** One stream's ledger entry for one customer and period. */
export interface LedgerEntry {
  status: LedgerStatus;
  runId: string;
  /** When the entry was (last) claimed. */
  claimedAt?: string;
}

export interface Eligibility {
  customer: { unsubscribed: boolean; suppressed?: boolean };
  /** The customer's own claim windows. */
  state?: MailState;
  /** The customer's email address (none stored yet: nothing known of it). */
  address?: AddressFacts;
  ledger?: LedgerEntry;
  rules: ContactRules;
  /** The date the period window is measured from (a campaign's run date). */
  runDate: string;
  /** The instant the frequency cap is measured from (ISO 8601). */
  now: string;
  /** Who claims: entries of the same run found again count once. */
  runId: string;
}

export type Decision =
  | { kind: 'send' }
  /** SES refused the send for quota: the claim stands and any run of this period may send it now. */
  | { kind: 'resume' }
  /** This run already sent it (a page processed again after a crash or pause): counts as sent once. */
  | { kind: 'sentByThisRun' }
  /** This run already tried and SES refused it for good (a page processed again): counts as failed once. */
  | { kind: 'failedByThisRun' }
  | { kind: 'skip'; reason: SkipReason };

/**
 * The claim windows: the stream's last date must be at or before `periodCutoff` (a date), the cap group's last
 * instant at or before `capCutoff` (an ISO instant, `capDays` before now).
 */
export function claimWindows(rules: ContactRules, runDate: string, now: string) {
  return {
    periodCutoff: addDays(runDate, -rules.periodDays),
    capCutoff: rules.capDays > 0 ? new Date(Date.parse(now) - rules.capDays * 86_400_000).toISOString() : undefined,
  };
}

/** Decides for one selected customer, in the order the counts are reported. */
export function decide(e: Eligibility): Decision {
  if (e.customer.unsubscribed || e.address?.unsubscribed) return { kind: 'skip', reason: 'unsubscribed' };
  if (e.customer.suppressed || e.address?.suppressed) return { kind: 'skip', reason: 'suppressed' };
  if (e.ledger) {
    if (e.ledger.status === 'deferred') return { kind: 'resume' };
    if (e.ledger.runId === e.runId) {
      // A page read again after a crash, a pause or an error: this run's own entries count once, as they ended.
      // `claimed` is counted as sent: the send may have gone out and is never repeated (at most once).
      if (e.ledger.status === 'sent' || e.ledger.status === 'claimed') return { kind: 'sentByThisRun' };
      if (e.ledger.status === 'failed') return { kind: 'failedByThisRun' };
    }
    return { kind: 'skip', reason: 'alreadySent' };
  }
  if (e.rules.ledgerOnly) return { kind: 'send' };
  const { periodCutoff, capCutoff } = claimWindows(e.rules, e.runDate, e.now);
  const windows = [e.state, e.address?.state];
  const taken = (last: string | undefined, cutoff: string | undefined) =>
    cutoff !== undefined && last !== undefined && last > cutoff;
  if (windows.some((w) => taken(w?.lastOn[e.rules.stream], periodCutoff))) return { kind: 'skip', reason: 'alreadySent' };
  if (windows.some((w) => taken(w?.lastSentAt, capCutoff))) return { kind: 'skip', reason: 'frequencyCap' };
  return { kind: 'send' };
}

// ---- counts ------------------------------------------------------------------------------------------------

export interface MailCounts {
  selected: number;
  sent: number;
  /** Sends SES refused for good (bad address, rejected content); never retried. */
  failed: number;
  skipped: Record<SkipReason, number>;
}

export const emptyCounts = (): MailCounts => ({
  selected: 0,
  sent: 0,
  failed: 0,
  skipped: { unsubscribed: 0, frequencyCap: 0, alreadySent: 0, suppressed: 0 },
});

export function addCounts(a: MailCounts, b: MailCounts): MailCounts {
  const skipped = { ...a.skipped };
  for (const reason of SKIP_REASONS) skipped[reason] += b.skipped[reason];
  return { selected: a.selected + b.selected, sent: a.sent + b.sent, failed: a.failed + b.failed, skipped };
}
