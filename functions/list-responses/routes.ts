import * as z from 'zod/mini';
import { surveyId } from '#core/schemas.ts';
import { isDay } from '#core/scores.ts';
import { component, defineRoutes, StoredResponse } from '#runtime/routes.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;
const LIMIT_MESSAGE = `Use a whole number from 1 to ${MAX_LIMIT}.`;

const day = (description: string) => z.string().check(z.refine(isDay, 'Use a real date as YYYY-MM-DD.'), z.describe(description));
/** Digits only (no `1e2`, no spaces), then the range. */
const limit = z._default(
  z.pipe(
    z.pipe(z.string().check(z.regex(/^\d{1,4}$/, LIMIT_MESSAGE)), z.transform(Number)),
    z
      .int()
      .check(
        z.minimum(1, LIMIT_MESSAGE),
        z.maximum(MAX_LIMIT, LIMIT_MESSAGE),
        z.describe(`Page size, default ${DEFAULT_LIMIT}.`),
      ),
  ),
  DEFAULT_LIMIT,
);

const ResponsePage = component(
  'ResponsePage',
  z.strictObject({
    items: z.array(StoredResponse),
    nextCursor: z.optional(z.string().check(z.describe('Present when there are more: pass it as `cursor` for the next page.'))),
  }),
);

export const routes = defineRoutes({
  'GET /v1/surveys/{surveyId}/responses': {
    auth: 'admin',
    summary: "List a survey's responses",
    description: 'With `Accept: text/csv`, the same rows as CSV with a header row (the next page’s cursor in `X-Next-Cursor`).',
    params: z.object({ surveyId }),
    query: z.object({
      from: z.optional(day('First day, YYYY-MM-DD (UTC).')),
      to: z.optional(day('Last day, YYYY-MM-DD (UTC).')),
      limit,
      cursor: z.optional(z.string().check(z.describe('nextCursor of the previous page.'))),
    }),
    produces: ['application/json', 'text/csv'],
    responses: { 200: { description: 'A page of responses; with `Accept: text/csv`, CSV.', schema: ResponsePage } },
    errors: [400, 404],
  },
});
