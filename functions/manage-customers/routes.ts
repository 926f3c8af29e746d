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
});
