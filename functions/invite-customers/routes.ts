import * as z from 'zod/mini';
import { eventType } from '#core/invitations/settings.ts';
import { INVITATION_SKIP_REASONS, INVITATION_STATUSES } from '#core/invitations/rules.ts';
import { CUSTOMER_ID, customerBody, customerId, surveyId } from '#core/schemas.ts';
import { component, defineRoutes, Invitation, timestamp, pageLimit, pageCursor } from '#runtime/routes.ts';

/** How far ahead an event may say it happened: clocks differ. */
export const EVENT_CLOCK_SKEW_MINUTES = 5;
/** How far ahead a manual invitation may be scheduled, and how far back (a past instant means now). */
export const MAX_SEND_AHEAD_DAYS = 365;
export const MAX_SEND_BEHIND_HOURS = 24;
export const MAX_CUSTOMERS_PER_REQUEST = 500;

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const instant = z.iso.datetime({ offset: true });

const EventInput = component(
  'EventInput',
  z.strictObject({
    eventId: z.string().check(z.regex(CUSTOMER_ID, 'Use 1–128 letters, digits and . _ : @ -.')),
    customerId,
    type: eventType,
    occurredAt: z.optional(
      instant.check(
        z.describe(`When it happened (default now): at most ${EVENT_CLOCK_SKEW_MINUTES} minutes ahead, from 2000 on.`),
      ),
    ),
    properties: customerBody.shape.attributes,
    customer: z.optional(
      customerBody.check(z.describe('A PUT /v1/customers/{customerId} body: the customer is created or updated first.')),
    ),
  }),
);

const ScheduledInvitation = z.strictObject({ invitationId: z.string(), surveyId, sendAt: timestamp });
const EventAnswer = component(
  'Event',
  z.strictObject({
    eventId: z.string(),
    customerId,
    type: eventType,
    occurredAt: timestamp,
    invitations: z.array(ScheduledInvitation).check(z.describe('The invitations this event scheduled.')),
    duplicate: z.optional(
      z.literal(true).check(z.describe('Present on a repeat of an event already recorded: the first answer.')),
    ),
  }),
);

const InvitationsInput = component(
  'InvitationsInput',
  z.strictObject({
    customerIds: z.array(customerId).check(z.minLength(1), z.maxLength(MAX_CUSTOMERS_PER_REQUEST)),
    sendAt: z.optional(
      instant.check(
        z.describe(
          `When to send (default now): at most ${MAX_SEND_AHEAD_DAYS} days ahead; a past instant (up to ${MAX_SEND_BEHIND_HOURS} h) means now.`,
        ),
      ),
    ),
    dryRun: z._default(z.boolean(), false),
  }),
);

const count = z.int().check(z.gte(0));
const InvitationsScheduled = component(
  'InvitationsScheduled',
  z.strictObject({
    scheduled: count,
    skipped: z.strictObject(
      Object.fromEntries(INVITATION_SKIP_REASONS.map((r) => [r, count])) as Record<
        (typeof INVITATION_SKIP_REASONS)[number],
        typeof count
      >,
    ),
    invitations: z.array(z.strictObject({ invitationId: z.string(), customerId, sendAt: timestamp })),
  }),
);

const InvitationPage = component(
  'InvitationPage',
  z.strictObject({
    items: z.array(Invitation),
    nextCursor: z.optional(
      z.string().check(z.describe('Present when there may be more: pass it as `cursor` for the next page.')),
    ),
  }),
);

const limit = pageLimit(DEFAULT_LIMIT, MAX_LIMIT);

const params = z.object({ surveyId });

export const routes = defineRoutes({
  'POST /v1/events': {
    auth: 'ingest',
    summary: 'Record an event and schedule the invitations it makes',
    description:
      'Idempotent by eventId: the same body again answers the first answer (200, "duplicate": true) and schedules ' +
      'nothing; another body with that eventId is 422 idempotency_key_reused. Without `customer`, an unknown ' +
      'customerId is 404. Each survey whose invite.on names the type invites (sampled by sampleRate from the eventId) ' +
      'delayHours after occurredAt, under the contact rules.',
    body: EventInput,
    responses: {
      201: { description: 'The event and the invitations it scheduled.', schema: EventAnswer },
      200: {
        description: 'A repeat of an event already recorded: its first answer, with "duplicate": true.',
        schema: EventAnswer,
      },
    },
    errors: [400, 404, 413, 415, 422],
  },
  'POST /v1/surveys/{surveyId}/invitations': {
    auth: 'admin',
    summary: 'Invite customers to a survey',
    description:
      'Schedules an invitation per customer (a customer listed twice counts once) under the contact rules; what ' +
      'breaks a rule is skipped and counted by reason. A dry run decides the same way and stores nothing.',
    params,
    body: InvitationsInput,
    responses: { 200: { description: 'What was scheduled and what was skipped.', schema: InvitationsScheduled } },
    errors: [400, 404, 413, 415],
  },
  'GET /v1/surveys/{surveyId}/invitations': {
    auth: 'read',
    summary: "List a survey's invitations",
    description: 'Newest first.',
    params,
    query: z.object({
      status: z.optional(z.enum(INVITATION_STATUSES)),
      limit,
      cursor: pageCursor,
    }),
    responses: { 200: { description: 'A page of invitations.', schema: InvitationPage } },
    errors: [400, 404],
  },
});
