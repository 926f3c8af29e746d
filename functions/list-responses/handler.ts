import { NotFound, ValidationFailed } from '#core/errors.ts';
import { toCsv } from '#core/csv.ts';
import { RESPONSE_CSV_COLUMNS } from '#core/responses.ts';
import { decodeCursor, listSurveyResponses, positionWithin } from '#data/response-listing.ts';
import type { FeedbackResponse } from '#data/responses.ts';
import { getSurvey } from '#data/surveys.ts';
import { httpHandler } from '#runtime/http.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { routes } from './routes.ts';

const db = tableFromEnv();

const CSV_COLUMNS = RESPONSE_CSV_COLUMNS satisfies ReadonlyArray<keyof FeedbackResponse>;

export const handler = httpHandler(routes, {
  'GET /v1/surveys/{surveyId}/responses': {
    handle: async (req) => {
      const id = req.params.surveyId;
      const { limit, ...query } = req.query;
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
      if (req.mediaType !== 'text/csv') return { status: 200, body: page };
      return {
        status: 200,
        text: {
          contentType: 'text/csv; charset=utf-8',
          content: toCsv(CSV_COLUMNS, page.items as unknown as Record<string, unknown>[]),
        },
        headers: {
          'content-disposition': `attachment; filename="${id}-responses.csv"`,
          ...(page.nextCursor ? { 'x-next-cursor': page.nextCursor } : {}),
        },
      };
    },
  },
});
