import * as z from 'zod/mini';
import { EARLIEST_DATE } from '#core/date-range.ts';
import { DomainError, NotFound, ValidationFailed } from '#core/errors.ts';
import { bodyHash } from '#core/ids.ts';
import { recordEvent } from '#data/events.ts';
import { inviteCustomers } from '#data/invitation-scheduling.ts';
import { invitationCursor, listInvitations } from '#data/invitations.ts';
import { getSurvey } from '#data/surveys.ts';
import { ENV, readEnv } from '#runtime/env.ts';
import { httpHandler } from '#runtime/http.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { EVENT_CLOCK_SKEW_MINUTES, MAX_SEND_AHEAD_DAYS, MAX_SEND_BEHIND_HOURS, routes } from './routes.ts';

const db = tableFromEnv();
const env = readEnv({
  [ENV.surveyThrottleDays]: z.pipe(z.string().check(z.regex(/^\d{1,3}$/)), z.transform(Number)),
});
const settings = { throttleDays: env[ENV.surveyThrottleDays] };

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;
const EARLIEST_MS = Date.parse(`${EARLIEST_DATE}T00:00:00Z`);

/** JSON with its keys sorted at every level: two bodies that say the same thing hash the same. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );

async function existingSurvey(id: string) {
  const survey = await getSurvey(db, id);
  if (!survey) throw new NotFound(`Survey "${id}"`);
  return survey;
}

export const handler = httpHandler(routes, {
  'POST /v1/events': {
    handle: async (req) => {
      const nowMs = Date.now();
      const { occurredAt: given, ...event } = req.body;
      const occurredMs = given === undefined ? nowMs : Date.parse(given);
      // From the service's first date (as responses and scores) to a few minutes ahead (clocks differ).
      if (occurredMs > nowMs + EVENT_CLOCK_SKEW_MINUTES * MINUTE_MS || occurredMs < EARLIEST_MS) {
        throw new ValidationFailed([
          {
            path: 'occurredAt',
            message: `Use an instant from ${EARLIEST_DATE} to ${EVENT_CLOCK_SKEW_MINUTES} minutes from now.`,
          },
        ]);
      }
      const occurredAt = new Date(occurredMs).toISOString();
      // The body as given (an absent occurredAt stays absent, so a retry later is the same body), instants canonical.
      const hash = bodyHash(canonical({ ...event, ...(given === undefined ? {} : { occurredAt }) }));
      const recorded = await recordEvent(db, { ...event, occurredAt }, hash, { nowMs, settings });
      switch (recorded.kind) {
        case 'created':
          return { status: 201, body: recorded.answer };
        case 'duplicate':
          return { status: 200, body: { ...recorded.answer, duplicate: true } };
        case 'reused':
          throw new DomainError(
            422,
            'idempotency_key_reused',
            'This eventId was recorded with a different body; use a new eventId.',
          );
        case 'unknownCustomer':
          throw new NotFound(`Customer "${event.customerId}" (send "customer" to create them with the event)`);
      }
    },
  },
  'POST /v1/surveys/{surveyId}/invitations': {
    handle: async (req) => {
      const nowMs = Date.now();
      const sendAtMs = req.body.sendAt === undefined ? nowMs : Date.parse(req.body.sendAt);
      if (sendAtMs > nowMs + MAX_SEND_AHEAD_DAYS * DAY_MS || sendAtMs < nowMs - MAX_SEND_BEHIND_HOURS * HOUR_MS) {
        throw new ValidationFailed([
          {
            path: 'sendAt',
            message: `Use an instant from ${MAX_SEND_BEHIND_HOURS} hours ago to ${MAX_SEND_AHEAD_DAYS} days ahead.`,
          },
        ]);
      }
      const survey = await existingSurvey(req.params.surveyId);
      const result = await inviteCustomers(db, survey, req.body.customerIds, {
        sendAt: new Date(Math.max(sendAtMs, nowMs)).toISOString(),
        now: new Date(nowMs).toISOString(),
        trigger: 'manual',
        dryRun: req.body.dryRun,
        settings,
      });
      return { status: 200, body: result };
    },
  },
  'GET /v1/surveys/{surveyId}/invitations': {
    handle: async (req) => {
      const { surveyId } = req.params;
      const { cursor, status, limit } = req.query;
      const after = cursor === undefined ? undefined : invitationCursor(cursor, { surveyId });
      if (cursor !== undefined && !after) {
        throw new ValidationFailed([
          { path: 'cursor', message: 'Use the nextCursor of the previous page of this listing, as given.' },
        ]);
      }
      await existingSurvey(surveyId);
      return { status: 200, body: await listInvitations(db, { surveyId }, { limit, status, after }) };
    },
  },
});
