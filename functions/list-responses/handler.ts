import * as z from 'zod/mini';
import { NotFound, ValidationFailed } from '#core/errors.ts';
import { toCsv } from '#core/csv.ts';
import { RESPONSE_CSV_COLUMNS } from '#core/responses.ts';
import { surveyId } from '#core/schemas.ts';
import { isDay } from '#core/scores.ts';
import { decodeCursor, listSurveyResponses, positionWithin } from '#data/response-listing.ts';
import type { FeedbackResponse } from '#data/responses.ts';
import { getSurvey } from '#data/surveys.ts';
import { httpHandler, parse } from '#runtime/http.ts';
import { tableFromEnv } from '#runtime/wiring.ts';

const db = tableFromEnv();

const day = z.string().check(z.refine(isDay, 'Use a real date as YYYY-MM-DD.'));
const listQuery = z.object({
  from: z.optional(day),
  to: z.optional(day),
  limit: z.optional(z.string().check(z.regex(/^\d{1,4}$/, 'Use a whole number from 1 to 1000.'))),
  cursor: z.optional(z.string()),
});

const CSV_COLUMNS = RESPONSE_CSV_COLUMNS satisfies ReadonlyArray<keyof FeedbackResponse>;

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 1000;

const wantsCsv = (accept: string | undefined) => /\btext\/csv\b/i.test(accept ?? '');

export const handler = httpHandler({
  'GET /v1/surveys/{surveyId}/responses': {
    auth: 'admin',
    handle: async (req) => {
      const id = parse(surveyId, req.params.surveyId, 'surveyId');
      const query = parse(listQuery, req.query);
      const limit = Number(query.limit ?? DEFAULT_LIMIT);
      if (limit < 1 || limit > MAX_LIMIT) {
        throw new ValidationFailed([{ path: 'limit', message: 'Use a whole number from 1 to 1000.' }]);
      }
      if (query.from && query.to && query.from > query.to) {
        throw new ValidationFailed([{ path: 'from', message: '"from" must not be after "to".' }]);
      }
      const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
      if (query.cursor !== undefined && !after) {
        throw new ValidationFailed([{ path: 'cursor', message: 'Use the nextCursor of the previous page, as given.' }]);
      }
      // A cursor from a listing with other from/to points outside this range; DynamoDB would reject it (a 500).
      if (after && !positionWithin(after, query)) {
        throw new ValidationFailed([
          { path: 'cursor', message: 'This cursor belongs to a listing with another from/to: start again without it.' },
        ]);
      }
      if (!(await getSurvey(db, id))) throw new NotFound(`Survey "${id}"`);
      const page = await listSurveyResponses(db, id, { from: query.from, to: query.to, limit, after });
      if (!wantsCsv(req.headers.accept)) return { status: 200, body: page };
      return {
        status: 200,
        text: { contentType: 'text/csv; charset=utf-8', content: toCsv(CSV_COLUMNS, page.items as unknown as Record<string, unknown>[]) },
        headers: {
          'content-disposition': `attachment; filename="${id}-responses.csv"`,
          ...(page.nextCursor ? { 'x-next-cursor': page.nextCursor } : {}),
        },
      };
    },
  },
});
