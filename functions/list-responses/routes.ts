import * as z from 'zod/mini';
import { surveyId } from '#core/schemas.ts';
import { dateIssues, spanIssues } from '#core/date-range.ts';
import { component, defineRoutes, queryDate, StoredResponse, todayUtc, pageLimit, pageCursor } from '#runtime/routes.ts';

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const limit = pageLimit(DEFAULT_LIMIT, MAX_LIMIT);

const ResponsePage = component(
  'ResponsePage',
  z.strictObject({
    items: z.array(StoredResponse),
    nextCursor: z.optional(z.string().check(z.describe('Present when there are more: pass it as `cursor` for the next page.'))),
  }),
);

export const routes = defineRoutes({
  'GET /v1/surveys/{surveyId}/responses': {
    auth: 'read',
    summary: "List a survey's responses",
    description: 'With `Accept: text/csv`, the same rows as CSV with a header row (the next page’s cursor in `X-Next-Cursor`).',
    params: z.object({ surveyId }),
    query: z
      .object({
        from: z.optional(queryDate('First day, YYYY-MM-DD (UTC).')),
        to: z.optional(queryDate('Last day, YYYY-MM-DD (UTC); not before from.')),
        limit,
        cursor: pageCursor,
      })
      .check(
        // No span limit: a listing reads one page whatever its range, so every response stays listable in one range.
        z.superRefine(({ from, to }, ctx) => {
          if (from === undefined || to === undefined || dateIssues({ from, to }, todayUtc()).length > 0) return;
          for (const { path, message } of spanIssues({ from, to })) {
            ctx.issues.push({ code: 'custom', path: [path], message, input: { from, to } });
          }
        }),
      ),
    produces: ['application/json', 'text/csv'],
    responses: { 200: { description: 'A page of responses; with `Accept: text/csv`, CSV.', schema: ResponsePage } },
    errors: [400, 404],
  },
});
