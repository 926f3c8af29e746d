import { createHash } from 'node:crypto';
import { localMinutes } from '../dates.ts';

/**
 * The pure rules of asking: which events invite (sampling), when each customer's cadence invitation falls, when a
 * send window opens in the customer's time zone, and the contact rules an invitation must pass.
 */

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** A stable fraction in [0, 1) from the given parts: the same inputs always land on the same point. */
export function stableFraction(...parts: string[]): number {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

/** Whether an event invites to a survey at `sampleRate`: decided by the `eventId`, so a replay decides the same. */
export const isSampled = (surveyId: string, eventId: string, sampleRate: number): boolean =>
  sampleRate >= 1 || (sampleRate > 0 && stableFraction('sample', surveyId, eventId) < sampleRate);

/** When an event's invitation is due: `delayHours` after the event. */
export const eventSendAt = (occurredAtMs: number, delayHours: number): number => occurredAtMs + delayHours * HOUR_MS;

/** The positions of the cadence: every customer has one in [0, 2^32), from their id alone (stored on their item). */
export const CADENCE_POSITIONS = 2 ** 32;

/** A customer's cadence position: stable, uniform, the same for every survey (surveys rotate it, see cadenceDay). */
export const cadencePosition = (customerId: string): number =>
  Math.floor(stableFraction('cadence', customerId) * CADENCE_POSITIONS);

/** How far a survey turns the positions: two relationship surveys do not ask a customer on the same day. */
const surveyOffset = (surveyId: string): number => Math.floor(stableFraction('cadence-offset', surveyId) * CADENCE_POSITIONS);

/** The first rotated position of cycle day `day`: ceil(day × 2^32 / everyDays), exactly. */
const dayStartPosition = (day: number, everyDays: number): number =>
  Number((BigInt(day) * BigInt(CADENCE_POSITIONS) + BigInt(everyDays - 1)) / BigInt(everyDays));

/**
 * A relationship survey's cycles start every `everyDays` days from 1970-01-01 (UTC); each customer has a fixed day
 * of the cycle: their position turned by the survey's offset, scaled to the cycle. The day's customers are one
 * contiguous range of positions (two where the turn wraps), so a day is read from an index, never by scanning, and
 * the base is spread evenly over the cycle whatever its length.
 */
export function cadenceDay(surveyId: string, customerId: string, everyDays: number): number {
  const turned = (cadencePosition(customerId) + surveyOffset(surveyId)) % CADENCE_POSITIONS;
  return Math.floor((turned * everyDays) / CADENCE_POSITIONS);
}

/** The positions (inclusive ranges) whose customers a survey asks on cycle day `day`: one range, or two on a wrap. */
export function cadenceRanges(surveyId: string, everyDays: number, day: number): Array<[number, number]> {
  const offset = surveyOffset(surveyId);
  const from = (dayStartPosition(day, everyDays) - offset + CADENCE_POSITIONS) % CADENCE_POSITIONS;
  const to = (dayStartPosition(day + 1, everyDays) - 1 - offset + CADENCE_POSITIONS) % CADENCE_POSITIONS;
  return from <= to
    ? [[from, to]]
    : [
        [from, CADENCE_POSITIONS - 1],
        [0, to],
      ];
}

/** The start (ms, UTC midnight) of the cycle `nowMs` falls in. */
export const cycleStart = (nowMs: number, everyDays: number): number =>
  Math.floor(nowMs / (everyDays * DAY_MS)) * everyDays * DAY_MS;

/** The day of the cycle `nowMs` falls on (0 for the cycle's first day). */
export const cycleDayOf = (nowMs: number, everyDays: number): number =>
  Math.floor((nowMs - cycleStart(nowMs, everyDays)) / DAY_MS);

/** The instant of a customer's cadence invitation in the cycle that holds `nowMs` (midnight UTC of their day). */
export const cadenceSendAt = (surveyId: string, customerId: string, everyDays: number, nowMs: number): number =>
  cycleStart(nowMs, everyDays) + cadenceDay(surveyId, customerId, everyDays) * DAY_MS;

/** `HH:MM` to minutes after midnight. */
const minutesOf = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

export interface SendWindow {
  /** Local `HH:MM`, inclusive. */
  from: string;
  /** Local `HH:MM`, exclusive; earlier than `from` for a window across midnight. */
  to: string;
}

/**
 * The earliest instant at or after `instantMs` inside the send window in `timeZone`: `instantMs` itself when the
 * window is open, else the next local `from` (to the minute). Across a DST change the opening may be an hour off,
 * which only moves an email within the morning.
 */
export function windowOpening(instantMs: number, timeZone: string, window: SendWindow): number {
  const from = minutesOf(window.from);
  const to = minutesOf(window.to);
  const now = localMinutes(instantMs, timeZone);
  const open = from <= to ? now >= from && now < to : now >= from || now < to;
  if (open || from === to) return instantMs;
  const wait = (from - now + 1440) % 1440;
  const startOfMinute = instantMs - (instantMs % 60_000);
  return startOfMinute + wait * 60_000;
}

/** The statuses an invitation moves through: scheduled → sent → answered | expired; or skipped, failed. */
export const INVITATION_STATUSES = ['scheduled', 'sent', 'answered', 'expired', 'skipped', 'failed'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

// ---- contact rules -----------------------------------------------------------------------------------------

export const INVITATION_SKIP_REASONS = [
  'throttled',
  'recontact',
  'unsubscribed',
  'suppressed',
  'alreadyInvited',
  'unknownCustomer',
] as const;
export type InvitationSkipReason = (typeof INVITATION_SKIP_REASONS)[number];

export const emptySkips = (): Record<InvitationSkipReason, number> =>
  Object.fromEntries(INVITATION_SKIP_REASONS.map((r) => [r, 0])) as Record<InvitationSkipReason, number>;

/** What the contact rules need to know about one customer and one survey. */
export interface InviteFacts {
  /** Absent: no such customer. */
  customer?: { unsubscribed: boolean; suppressed?: boolean };
  /** When the customer's latest invitation to any survey was (or is to be) sent; reminders do not count. */
  lastInvitedAt?: string;
  /** The customer's open invitation to this survey (scheduled or sent, not yet answered or expired), if any. */
  openInvitationId?: string;
  /** When the customer last answered this survey. */
  lastAnsweredAt?: string;
}

export interface InviteLimits {
  /** Config `surveyThrottleDays`: at most one invitation per customer in this many days, across surveys. */
  throttleDays: number;
  /** The survey's `recontactDays`. */
  recontactDays: number;
}

/**
 * Whether an invitation due at `sendAtMs` may be made: the reason it may not, or null. Checked when it is scheduled
 * (the store repeats the throttle and open-invitation checks atomically) and again when it is sent.
 */
export function inviteProblem(facts: InviteFacts, limits: InviteLimits, sendAtMs: number): InvitationSkipReason | null {
  if (!facts.customer) return 'unknownCustomer';
  if (facts.customer.unsubscribed) return 'unsubscribed';
  if (facts.customer.suppressed) return 'suppressed';
  if (facts.openInvitationId) return 'alreadyInvited';
  if (limits.recontactDays > 0 && facts.lastAnsweredAt !== undefined) {
    if (Date.parse(facts.lastAnsweredAt) > sendAtMs - limits.recontactDays * DAY_MS) return 'recontact';
  }
  if (limits.throttleDays > 0 && facts.lastInvitedAt !== undefined) {
    if (Math.abs(sendAtMs - Date.parse(facts.lastInvitedAt)) < limits.throttleDays * DAY_MS) return 'throttled';
  }
  return null;
}

/**
 * The throttle as the store checks it atomically: another invitation's send instant must lie at or before `notAfter`
 * or at or after `notBefore` (ISO instants), i.e. at least `throttleDays` away from `sendAtMs`, either way.
 */
export const throttleBounds = (sendAtMs: number, throttleDays: number) => ({
  notAfter: new Date(sendAtMs - throttleDays * DAY_MS).toISOString(),
  notBefore: new Date(sendAtMs + throttleDays * DAY_MS).toISOString(),
});
