import { NotFound, ValidationFailed } from '#core/errors.ts';
import { ALL_DIMENSION, attributeDimension, CHANNEL_DIMENSION, dayOf, reportRange, scoreReport } from '#core/scores.ts';
import { readScoreDays } from '#data/scores.ts';
import { getSurvey } from '#data/surveys.ts';
import { httpHandler } from '#runtime/http.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { routes } from './routes.ts';

const db = tableFromEnv();

export const handler = httpHandler(routes, {
  'GET /v1/surveys/{surveyId}/scores': {
    handle: async (req) => {
      const id = req.params.surveyId;
      const query = req.query;
      const { from, to } = reportRange(query.from, query.to, dayOf(Date.now()));
      const survey = await getSurvey(db, id);
      if (!survey) throw new NotFound(`Survey "${id}"`);
      const breakdowns = [CHANNEL_DIMENSION, ...survey.segmentBy.map(attributeDimension)];
      if (query.by !== undefined && !breakdowns.includes(query.by)) {
        const allowed = breakdowns.map((d) => `"${d}"`).join(', ');
        throw new ValidationFailed([{ path: 'by', message: `Break scores down by one of ${allowed} (the survey's segmentBy).` }]);
      }
      // Totals and series from `all`, the breakdown from its own dimension: two key ranges, read side by side.
      const read = query.by === undefined ? [ALL_DIMENSION] : [ALL_DIMENSION, query.by];
      const days = (await Promise.all(read.map((d) => readScoreDays(db, id, d, from, to)))).flat();
      return { status: 200, body: scoreReport({ surveyId: id, from, to, interval: query.interval, by: query.by }, days) };
    },
  },
});
