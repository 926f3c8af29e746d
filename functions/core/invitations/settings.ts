import * as z from 'zod/mini';
import { storableNumber } from '../numbers.ts';

/**
 * A survey's `invite` settings: which events invite, how soon, how many, the relationship cadence, the reminder and
 * the link's life. Every field is optional; a survey without `invite` is only sent by hand (`POST …/invitations`).
 */

/** An event type: what `POST /v1/events` accepts, and what `invite.on` names. */
export const EVENT_TYPE = /^[a-z][a-z0-9_.-]{0,63}$/;
export const eventType = z.string().check(z.regex(EVENT_TYPE, 'Use 1–64 lower-case letters, digits and _ . - (a letter first).'));

export const DEFAULT_INVITE_EXPIRES_IN_DAYS = 14;

export const inviteSettings = z.strictObject({
  /** Event types that schedule an invitation. */
  on: z._default(
    z.array(eventType).check(
      z.maxLength(10),
      z.refine((on) => new Set(on).size === on.length, 'List each event type once.'),
    ),
    [],
  ),
  /** Hours from the event's `occurredAt` to the invitation. */
  delayHours: z._default(storableNumber.check(z.gte(0), z.lte(720)), 0),
  /** The share of events that invite, chosen from the `eventId` (the same event always decides the same way). */
  sampleRate: z._default(storableNumber.check(z.gte(0), z.lte(1)), 1),
  /** A relationship survey: every mailable customer once per cycle of this many days (0: off). */
  everyDays: z._default(z.int().check(z.refine((d) => d === 0 || (d >= 7 && d <= 730), 'Use 0 (off) or 7–730 days.')), 0),
  /** One reminder with the same link this many days after an unanswered invitation (0: none); none after the link ends. */
  remindAfterDays: z._default(z.int().check(z.gte(0), z.lte(30)), 0),
  /** The link's life; an invitation unanswered when it ends is `expired`. */
  expiresInDays: z._default(z.int().check(z.gte(1), z.lte(365)), DEFAULT_INVITE_EXPIRES_IN_DAYS),
});
export type InviteSettings = z.infer<typeof inviteSettings>;
