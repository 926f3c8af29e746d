import * as z from 'zod/mini';
import { NotFound, ValidationFailed } from '#core/errors.ts';
import { surveyId } from '#core/schemas.ts';
import { ALL_DIMENSION, attributeDimension, dayOf, INTERVALS, isDay, reportRange, scoreReport } from '#core/scores.ts';
import { readScoreDays } from '#data/scores.ts';
import { getSurvey } from '#data/surveys.ts';
import { httpHandler, parse } from '#runtime/http.ts';
import { tableFromEnv } from '#runtime/wiring.ts';

const db = tableFromEnv();

const day = z.string().check(z.refine(isDay, 'Use a real date as YYYY-MM-DD.'));
const scoresQuery = z.object({
  from: z.optional(day),
  to: z.optional(day),
  interval: z._default(z.enum(INTERVALS), 'day'),
  by: z.optional(z.string().check(z.maxLength(80))),
});

export const handler = httpHandler({
  'GET /v1/surveys/{surveyId}/scores': {
    auth: 'admin',
    handle: async (req) => {
      const id = parse(surveyId, req.params.surveyId, 'surveyId');
      const query = parse(scoresQuery, req.query);
      const { from, to } = reportRange(query.from, query.to, dayOf(Date.now()));
      const survey = await getSurvey(db, id);
      if (!survey) throw new NotFound(`Survey "${id}"`);
      const dimensions = ['channel', ...survey.segmentBy.map(attributeDimension)];
      if (query.by !== undefined && !dimensions.includes(query.by)) {
        const allowed = dimensions.map((d) => `"${d}"`).join(', ');
        throw new ValidationFailed([{ path: 'by', message: `Break scores down by one of ${allowed} (the survey's segmentBy).` }]);
      }
      const days = await readScoreDays(db, id, from, to, query.by ? [ALL_DIMENSION, query.by] : [ALL_DIMENSION]);
      return { status: 200, body: scoreReport({ surveyId: id, from, to, interval: query.interval, by: query.by }, days) };
    },
  },
});
