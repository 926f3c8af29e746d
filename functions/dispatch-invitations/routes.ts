import * as z from 'zod/mini';
import { component, defineRoutes } from '#runtime/routes.ts';

const count = z.int().check(z.gte(0));

const DispatchInput = component(
  'DispatchInput',
  z.strictObject({
    at: z.optional(
      z.iso
        .datetime({ offset: true })
        .check(z.describe('Dispatch as of this instant (default now; within 30 days either side).')),
    ),
  }),
);
// No body (or null) is "as of now".
const dispatchInput = z.pipe(
  z.transform((body: unknown) => body ?? {}),
  DispatchInput,
);

const Dispatch = component(
  'Dispatch',
  z.strictObject({
    sent: count,
    reminded: count,
    expired: count,
    deferred: count.check(z.describe('Waiting for the send window to open, or for SES to take them on a later dispatch.')),
    skipped: count,
    failed: count,
  }),
);

export const routes = defineRoutes({
  'POST /v1/invitations/dispatch': {
    auth: 'admin',
    summary: 'Send the invitations and reminders due now (or as of `at`)',
    description:
      'What the schedule does every few minutes, on demand: sends the due invitations and reminders, expires the ' +
      'unanswered ones whose link ended. Concurrent and repeated dispatches never send an email twice.',
    body: dispatchInput,
    responses: { 200: { description: 'What this dispatch did.', schema: Dispatch } },
    errors: [400, 413, 415],
  },
});
