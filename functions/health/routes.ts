import * as z from 'zod/mini';
import { component, defineRoutes } from '#runtime/routes.ts';

export const Health = component('Health', z.strictObject({ status: z.literal('ok') }));

export const routes = defineRoutes({
  'GET /health': {
    auth: 'public',
    summary: 'Health check',
    responses: { 200: { description: 'The service answers.', schema: Health } },
    errors: [],
  },
});
