import * as z from 'zod/mini';
import { customerId } from '#core/schemas.ts';
import { component, defineRoutes } from '#runtime/routes.ts';

const Erasing = component('Erasing', z.strictObject({ customerId, status: z.literal('erasing') }));

export const routes = defineRoutes({
  'DELETE /v1/customers/{customerId}': {
    auth: 'admin',
    summary: 'Erase a customer and everything about them',
    description:
      'The right to be forgotten. The customer is 404 at once; their responses, comments, emails, invitations, events ' +
      'and links go within a minute, and the scores move as if those responses never came. An address that ' +
      'unsubscribed, bounced or complained stays suppressed, kept only as a hash. An interrupted erasure goes on when ' +
      'the DELETE is sent again.',
    params: z.object({ customerId }),
    responses: { 202: { description: 'The erasure is under way.', schema: Erasing } },
    errors: [400, 404],
  },
});
