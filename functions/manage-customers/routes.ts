import * as z from 'zod/mini';
import { customerBody, customerId } from '#core/schemas.ts';
import { TIMELINE_KINDS } from '#core/timeline.ts';
import { component, defineRoutes, Invitation, StoredResponse, timestamp, pageLimit, pageCursor } from '#runtime/routes.ts';

const params = z.object({ customerId });

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;
const limit = pageLimit(DEFAULT_LIMIT, MAX_LIMIT);
const cursor = pageCursor;
const nextCursor = z.optional(
  z.string().check(z.describe('Present when there may be more: pass it as `cursor` for the next page.')),
);

const CustomerInput = component('CustomerInput', customerBody);
const Customer = component(
  'Customer',
  z.extend(customerBody, {
    customerId,
    unsubscribed: z.boolean(),
    suppressed: z.optional(z.boolean().check(z.describe('Set when SES reported a bounce or complaint.'))),
    createdAt: timestamp,
    updatedAt: timestamp,
  }),
);
const CustomerHistory = component(
  'CustomerHistory',
  z.strictObject({
    customer: Customer,
    responses: z.array(StoredResponse).check(z.describe('Newest first.')),
    emails: z.array(z.record(z.string(), z.unknown())).check(z.describe('Appreciation emails sent, newest first.')),
    invitations: z.array(Invitation).check(z.describe('Survey invitations, newest first (the latest 100).')),
  }),
);

const record = z.record(z.string(), z.unknown());
const CustomerExport = component(
  'CustomerExport',
  z.strictObject({
    customer: Customer,
    responses: z.array(StoredResponse).check(z.describe('Every response, with its comment, newest first.')),
    emails: z.array(record).check(z.describe('Every email ledger entry (claimed, sent, deferred, failed), newest first.')),
    invitations: z.array(Invitation).check(z.describe('Every invitation, newest first.')),
    events: z.array(record).check(z.describe('Every event, oldest first.')),
    mailState: z.optional(record.check(z.describe('The claim windows of the emails sent to the customer.'))),
    inviteState: z.optional(record.check(z.describe('The latest invitation and the open one per survey.'))),
  }),
);

const npsClass = z.enum(['promoter', 'passive', 'detractor']);
const TimelineItem = component(
  'TimelineItem',
  z.looseObject({
    at: timestamp.check(
      z.describe("When: a response's submittedAt, an email's claim, an invitation's creation, an event's occurredAt."),
    ),
    kind: z.enum(TIMELINE_KINDS),
    changed: z.optional(
      z
        .strictObject({ from: npsClass, to: npsClass })
        .check(z.describe("On a response whose NPS class differs from the customer's previous NPS answer.")),
    ),
  }),
);
const Timeline = component(
  'Timeline',
  z.strictObject({ items: z.array(TimelineItem).check(z.describe('Newest first.')), nextCursor }),
);
const CustomerPage = component('CustomerPage', z.strictObject({ items: z.array(Customer), nextCursor }));

export const routes = defineRoutes({
  'GET /v1/customers': {
    auth: 'read',
    summary: 'List customers',
    description:
      'With email, the customers with that address (an exact match, as customers are stored: case and surrounding ' +
      'spaces do not count), by id; without, every customer, a page at a time.',
    query: z.object({
      email: z.optional(z.email().check(z.maxLength(254))),
      limit,
      cursor,
    }),
    responses: { 200: { description: 'A page of customers.', schema: CustomerPage } },
    errors: [400],
  },

  'PUT /v1/customers/{customerId}': {
    auth: 'ingest',
    summary: 'Create or replace a customer',
    description: 'A replace keeps createdAt and the unsubscribe state; optional fields left out are removed.',
    params,
    body: CustomerInput,
    responses: { 200: { description: 'The customer as stored.', schema: Customer } },
    errors: [400, 413, 415],
  },
  'GET /v1/customers/{customerId}': {
    auth: 'read',
    summary: 'Read a customer, their responses, the emails sent to them and their invitations',
    params,
    responses: { 200: { description: 'The customer and their history.', schema: CustomerHistory } },
    errors: [400, 404],
  },
  'GET /v1/customers/{customerId}/export': {
    auth: 'admin',
    summary: 'Export everything held about a customer',
    description: 'The right of access: the profile, every response, email, invitation and event, in one document.',
    params,
    responses: { 200: { description: 'Everything held about the customer.', schema: CustomerExport } },
    errors: [400, 404],
  },
  'GET /v1/customers/{customerId}/timeline': {
    auth: 'read',
    summary: "A customer's timeline",
    description:
      'Every interaction with the customer in one list, newest first: responses (with `changed` where the NPS class ' +
      'moved), emails, invitations, events, and the unsubscribe or suppression of their address.',
    params,
    query: z.object({ limit, cursor }),
    responses: { 200: { description: 'A page of the timeline.', schema: Timeline } },
    errors: [400, 404],
  },
});
