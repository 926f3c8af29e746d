import * as z from 'zod/mini';
import { customerBody, customerId } from '#core/schemas.ts';
import { component, defineRoutes, Invitation, StoredResponse, timestamp } from '#runtime/routes.ts';

const params = z.object({ customerId });

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

export const routes = defineRoutes({
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
});
