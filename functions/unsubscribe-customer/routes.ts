import * as z from 'zod/mini';
import { defineRoutes } from '#runtime/routes.ts';

const query = z.object({ token: z.optional(z.string().check(z.describe("The signed unsubscribe token of the email's link."))) });

export const routes = defineRoutes({
  'GET /v1/unsubscribe': {
    auth: 'public',
    summary: 'Unsubscribe page',
    description: 'A page with a confirm button: link scanners prefetch GETs, so the GET itself changes nothing.',
    query,
    responses: { 200: { description: 'A page with a confirm button.', contentType: 'text/html' } },
    errors: [403],
  },
  'POST /v1/unsubscribe': {
    auth: 'public',
    summary: 'Unsubscribe (RFC 8058 one-click)',
    description: 'Accepts the form body `List-Unsubscribe=One-Click`, or any other: a valid link is enough. Idempotent.',
    query,
    accepts: 'any',
    produces: ['application/json', 'text/html'],
    responses: { 200: { description: 'Unsubscribed: `{"unsubscribed":true}`, or a page with `Accept: text/html`.' } },
    errors: [403],
  },
});
