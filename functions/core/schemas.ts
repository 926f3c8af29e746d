import * as z from 'zod/mini';
import { isTimeZone } from './dates.ts';
import { storableNumber } from './numbers.ts';
import { inviteSettings } from './invitations/settings.ts';
import { answerShape, METRIC_LIST, METRICS, QUESTIONS } from './questions/index.ts';

/** The API's bodies and ids, validated strictly; the OpenAPI document is generated from these. */

export const SURVEY_ID = /^[a-z0-9][a-z0-9-]{0,63}$/;
export const CUSTOMER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const LOCALE = /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/;
const BIRTHDAY = /^(\d{4}-)?(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/** Control characters (C0, DEL, C1) and the invisible bidi controls that can reorder what a reader sees. */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
export const UNSAFE_TEXT = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/** A one-line name as people read it (it reaches email subjects): no line breaks, NUL or bidi controls. */
const displayName = z.string().check(
  z.minLength(1),
  z.maxLength(200),
  z.refine((s) => !UNSAFE_TEXT.test(s), 'Use plain text on one line: no control characters or bidi controls.'),
);

export const surveyId = z.string().check(z.regex(SURVEY_ID, 'Use 1–64 lower-case letters, digits and dashes.'));
export const customerId = z.string().check(z.regex(CUSTOMER_ID, 'Use 1–128 letters, digits and . _ : @ -.'));

const isRealDate = (value: string) => {
  const [month, day] = value.slice(-5).split('-').map(Number) as [number, number];
  const year = value.length === 10 ? Number(value.slice(0, 4)) : 2000; // 2000 is a leap year: 02-29 is a birthday
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
};

export const surveyBody = z.strictObject({
  name: displayName,
  questions: z.array(z.enum(QUESTIONS)).check(
    z.minLength(1),
    z.refine((q) => new Set(q).size === q.length, 'List each question once.'),
    z.refine((q) => q.some((x) => (METRICS as readonly string[]).includes(x)), `Ask at least one of ${METRIC_LIST}.`),
  ),
  anonymous: z._default(z.boolean(), false),
  recontactDays: z._default(z.int().check(z.gte(0), z.lte(3650)), 0),
  segmentBy: z._default(
    z.array(z.string().check(z.regex(ATTRIBUTE_NAME))).check(
      z.maxLength(3),
      z.refine((s) => new Set(s).size === s.length, 'List each attribute once.'),
    ),
    [],
  ),
  /** Invitations by email: after events, on a cadence, with a reminder (see `inviteSettings`). */
  invite: z.optional(inviteSettings),
});
export type SurveyInput = z.infer<typeof surveyBody>;

const customerAttributeValue = z.union(
  [z.string().check(z.maxLength(256)), storableNumber, z.boolean()],
  'Use a string of at most 256 characters, a number or a boolean.',
);

export const customerBody = z.strictObject({
  email: z.email().check(z.maxLength(254)),
  name: z.optional(displayName),
  locale: z.optional(z.string().check(z.regex(LOCALE, 'Use a BCP 47 tag such as "en" or "sr-Cyrl".'), z.maxLength(35))),
  timezone: z.optional(z.string().check(z.refine(isTimeZone, 'Use an IANA time zone such as "Europe/Istanbul".'))),
  birthday: z.optional(
    z.string().check(z.regex(BIRTHDAY, 'Use MM-DD or YYYY-MM-DD.'), z.refine(isRealDate, 'This date does not exist.')),
  ),
  attributes: z.optional(
    z
      .record(z.string().check(z.regex(ATTRIBUTE_NAME)), customerAttributeValue)
      .check(z.refine((a) => Object.keys(a).length <= 20, 'At most 20 attributes.')),
  ),
});
export type CustomerInput = z.infer<typeof customerBody>;

export const linkBody = z.strictObject({
  customerId,
  expiresInDays: z._default(z.int().check(z.gte(1), z.lte(365)), 30),
});

export const responseBody = z
  .strictObject({
    surveyId,
    // Any text: a token that is not a valid one (empty, too long, tampered) is 403, as the contract says of every token.
    token: z.optional(z.string()),
    customerId: z.optional(customerId),
    ...answerShape,
    channel: z.optional(z.string().check(z.minLength(1), z.maxLength(64))),
    attributes: z.optional(
      z
        .record(z.string().check(z.minLength(1), z.maxLength(64)), z.string().check(z.maxLength(256)))
        .check(z.refine((a) => Object.keys(a).length <= 10, 'At most 10 attributes.')),
    ),
    submittedAt: z.optional(z.iso.datetime({ offset: true })),
  })
  .check(
    z.refine((r) => METRICS.some((metric) => r[metric] !== undefined), {
      message: `Answer at least one of ${METRIC_LIST}.`,
      path: [METRICS[0]!],
    }),
  );
export type ResponseInput = z.infer<typeof responseBody>;

/** Idempotency-Key: 1–255 visible ASCII characters. */
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;
