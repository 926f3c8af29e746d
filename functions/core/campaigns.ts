/**
 * The appreciation campaigns as pure rules: who is selected for a run date, which customers a run may mail, and
 * the windows the ledger enforces. No I/O: the data layer turns `IndexQuery`s into queries and stores claims.
 */

export const CAMPAIGN_IDS = ['promoter-thanks', 'detractor-followup', 'win-back', 'birthday'] as const;
export type CampaignId = (typeof CAMPAIGN_IDS)[number];

export const isCampaignId = (value: unknown): value is CampaignId =>
  typeof value === 'string' && (CAMPAIGN_IDS as readonly string[]).includes(value);

export interface CampaignRules {
  /** A customer gets this campaign at most once in this many days. */
  periodDays: number;
  /** Whether the team hears about each email too. */
  notifiesTeam: boolean;
}

export const CAMPAIGNS: Record<CampaignId, CampaignRules> = {
  'promoter-thanks': { periodDays: 1, notifiesTeam: false },
  'detractor-followup': { periodDays: 1, notifiesTeam: true },
  'win-back': { periodDays: 180, notifiesTeam: false },
  birthday: { periodDays: 1, notifiesTeam: false },
};

export const SKIP_REASONS = ['unsubscribed', 'frequencyCap', 'alreadySent', 'suppressed'] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

// ---- dates -------------------------------------------------------------------------------------------------

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A real calendar date `YYYY-MM-DD`. */
export function isIsoDate(value: string): boolean {
  const m = DATE.exec(value);
  if (!m) return false;
  const date = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return date.toISOString().slice(0, 10) === value;
}

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Whole days from `a` to `b`. */
export const daysBetween = (a: string, b: string): number => Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);

/** The calendar date at an instant in an IANA time zone. */
export function localDate(instantMs: number, timeZone: string): string {
  // en-CA formats as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(instantMs);
}

const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * The moment a run for `runDate` stands for: now, moved by whole days to that date. A run for today is now; a run
 * for another date sees the world as the same schedule would have on that day (birthdays by local date).
 */
export function runInstant(runDate: string, nowMs: number, timeZone: string): number {
  return nowMs + daysBetween(localDate(nowMs, timeZone), runDate) * DAY_MS;
}

// ---- selection ---------------------------------------------------------------------------------------------

/** Which index partition a campaign reads for a run date; the data layer maps each to a query. */
export type IndexQuery =
  | { index: 'npsDay'; day: string; npsClass: 'promoter' | 'detractor' }
  | { index: 'birthday'; monthDay: string }
  | { index: 'lastResponse'; before: string };

export interface SelectionSettings {
  winBackDays: number;
}

/** The birthdays (`MM-DD`) celebrated on a local date: 02-29 birthdays are celebrated on 02-28 in other years. */
export function birthdaysOn(localDay: string): string[] {
  const monthDay = localDay.slice(5);
  const year = Number(localDay.slice(0, 4));
  return monthDay === '02-28' && !isLeapYear(year) ? ['02-28', '02-29'] : [monthDay];
}

/** The latest response a win-back candidate may have: strictly before the run date minus `winBackDays`. */
export const winBackCutoff = (runDate: string, winBackDays: number): string => `${addDays(runDate, -winBackDays)}T00:00:00.000Z`;

/**
 * The index partitions a run reads. Promoters and detractors: identified NPS answers of the day before.
 * Birthdays: the day before, the day and the day after, because a customer's own time zone decides whose day it
 * is (see `isBirthdayAt`). Win-back: customers whose last response is older than the cutoff.
 */
export function selectionQueries(campaignId: CampaignId, runDate: string, settings: SelectionSettings): IndexQuery[] {
  switch (campaignId) {
    case 'promoter-thanks':
      return [{ index: 'npsDay', day: addDays(runDate, -1), npsClass: 'promoter' }];
    case 'detractor-followup':
      return [{ index: 'npsDay', day: addDays(runDate, -1), npsClass: 'detractor' }];
    case 'win-back':
      return [{ index: 'lastResponse', before: winBackCutoff(runDate, settings.winBackDays) }];
    case 'birthday': {
      const days = [addDays(runDate, -1), runDate, addDays(runDate, 1)];
      const monthDays = [...new Set(days.flatMap(birthdaysOn))];
      return monthDays.map((monthDay) => ({ index: 'birthday', monthDay }));
    }
  }
}

/**
 * Whether it is a customer's birthday at the run's instant, in their own time zone (else the schedule's).
 * Returns the local date being celebrated (the ledger period), or undefined.
 */
export function birthdayCelebratedAt(birthday: string, instantMs: number, timeZone: string): string | undefined {
  const day = localDate(instantMs, timeZone);
  return birthdaysOn(day).includes(birthday.slice(-5)) ? day : undefined;
}

/** A win-back candidate from a possibly stale index is real only if their latest response is still older than the cutoff. */
export const isLapsed = (latestResponseAt: string | undefined, cutoff: string): boolean =>
  latestResponseAt !== undefined && latestResponseAt < cutoff;

// ---- eligibility -------------------------------------------------------------------------------------------

/** What the ledger knows about a customer: the last date each campaign and any appreciation email was claimed. */
export interface MailState {
  lastSentOn?: string;
  lastOn: Partial<Record<CampaignId, string>>;
}

export type LedgerStatus = 'claimed' | 'sent' | 'deferred' | 'failed';

/** One campaign's ledger entry for one customer and period. */
export interface LedgerEntry {
  status: LedgerStatus;
  runId: string;
}

export interface Eligibility {
  customer: { unsubscribed: boolean; suppressed?: boolean };
  state?: MailState;
  ledger?: LedgerEntry;
  campaignId: CampaignId;
  runDate: string;
  runId: string;
  frequencyCapDays: number;
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

/** The claim windows: a campaign's last date must be at or before `periodCutoff`, any appreciation's at or before `capCutoff`. */
export function claimWindows(campaignId: CampaignId, runDate: string, frequencyCapDays: number) {
  return {
    periodCutoff: addDays(runDate, -CAMPAIGNS[campaignId].periodDays),
    capCutoff: frequencyCapDays > 0 ? addDays(runDate, -frequencyCapDays) : undefined,
  };
}

/**
 * Decides for one selected customer, in the order the counts are reported: opted out, suppressed, already mailed
 * for this period, within the frequency cap. The conditional claim repeats these checks atomically; this function
 * also classifies a claim that lost.
 */
export function decide(e: Eligibility): Decision {
  if (e.customer.unsubscribed) return { kind: 'skip', reason: 'unsubscribed' };
  if (e.customer.suppressed) return { kind: 'skip', reason: 'suppressed' };
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
  const { periodCutoff, capCutoff } = claimWindows(e.campaignId, e.runDate, e.frequencyCapDays);
  const lastOfCampaign = e.state?.lastOn[e.campaignId];
  if (lastOfCampaign !== undefined && lastOfCampaign > periodCutoff) return { kind: 'skip', reason: 'alreadySent' };
  const lastAny = e.state?.lastSentOn;
  if (capCutoff !== undefined && lastAny !== undefined && lastAny > capCutoff) return { kind: 'skip', reason: 'frequencyCap' };
  return { kind: 'send' };
}

// ---- run counts --------------------------------------------------------------------------------------------

export interface RunCounts {
  selected: number;
  sent: number;
  /** Sends SES refused for good (bad address, rejected content); never retried. */
  failed: number;
  skipped: Record<SkipReason, number>;
}

export const emptyCounts = (): RunCounts => ({
  selected: 0,
  sent: 0,
  failed: 0,
  skipped: { unsubscribed: 0, frequencyCap: 0, alreadySent: 0, suppressed: 0 },
});

export function addCounts(a: RunCounts, b: RunCounts): RunCounts {
  const skipped = { ...a.skipped };
  for (const reason of SKIP_REASONS) skipped[reason] += b.skipped[reason];
  return { selected: a.selected + b.selected, sent: a.sent + b.sent, failed: a.failed + b.failed, skipped };
}
