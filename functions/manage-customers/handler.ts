import { NotFound, ValidationFailed } from '#core/errors.ts';
import { decodeTimelineCursor } from '#core/timeline.ts';
import { noteLatestResponse } from '#data/appreciation.ts';
import { exportCustomer } from '#data/customer-export.ts';
import { decodeCustomerCursor, listCustomers } from '#data/customer-listing.ts';
import { readTimeline } from '#data/customer-timeline.ts';
import { customerEmails, getCustomer, putCustomer } from '#data/customers.ts';
import { listInvitations } from '#data/invitations.ts';
import { publicFields } from '#data/keys.ts';
import { customerTimeline } from '#data/responses.ts';
import { httpHandler } from '#runtime/http.ts';
import { logger } from '#runtime/logger.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { routes } from './routes.ts';

const db = tableFromEnv();

const badCursor = () =>
  new ValidationFailed([{ path: 'cursor', message: 'Use the nextCursor of the previous page of this listing, as given.' }]);

export const handler = httpHandler(routes, {
  'GET /v1/customers': {
    handle: async (req) => {
      const { email, limit, cursor } = req.query;
      const after = cursor === undefined ? undefined : decodeCustomerCursor(cursor, email !== undefined);
      if (cursor !== undefined && !after) throw badCursor();
      return { status: 200, body: await listCustomers(db, { email, limit, after }) };
    },
  },
  'PUT /v1/customers/{customerId}': {
    handle: async (req) => {
      const id = req.params.customerId;
      const customer = await putCustomer(db, id, req.body, new Date().toISOString());
      // Answers imported before the profile: put the customer in win-back's index now (a no-op when already there).
      const [latest] = await customerTimeline(db, id, { limit: 1 });
      // Best effort, as on the response path: the profile is stored, and win-back checks the timeline anyway.
      if (latest)
        await noteLatestResponse(db, id, latest.submittedAt).catch((error: unknown) =>
          logger.warn('LastResponseNotNoted', { customerId: id, error: (error as Error).name }),
        );
      return { status: 200, body: customer };
    },
  },
  'GET /v1/customers/{customerId}': {
    handle: async (req) => {
      const id = req.params.customerId;
      const [customer, responses, emails, invitations] = await Promise.all([
        getCustomer(db, id),
        customerTimeline(db, id),
        customerEmails(db, id),
        listInvitations(db, { customerId: id }, { limit: 100 }),
      ]);
      if (!customer) throw new NotFound(`Customer "${id}"`);
      // Newest first; an email not (yet) sent has only its claim time.
      const when = (e: Record<string, unknown>) => (e.sentAt ?? e.claimedAt ?? '') as string;
      const sent = emails.map(publicFields).sort((a, b) => when(b).localeCompare(when(a)));
      return { status: 200, body: { customer, responses, emails: sent, invitations: invitations.items } };
    },
  },
  'GET /v1/customers/{customerId}/timeline': {
    handle: async (req) => {
      const id = req.params.customerId;
      const { limit, cursor } = req.query;
      const after = cursor === undefined ? undefined : decodeTimelineCursor(cursor);
      if (cursor !== undefined && !after) throw badCursor();
      const page = await readTimeline(db, id, { limit, after });
      if (!page) throw new NotFound(`Customer "${id}"`);
      return { status: 200, body: page };
    },
  },
  'GET /v1/customers/{customerId}/export': {
    handle: async (req) => {
      const id = req.params.customerId;
      const everything = await exportCustomer(db, id);
      if (!everything) throw new NotFound(`Customer "${id}"`);
      return { status: 200, body: everything };
    },
  },
});
