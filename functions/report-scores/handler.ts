import { NotFound, ValidationFailed } from '#core/errors.ts';
import { ALL_DIMENSION, attributeDimension, dayOf, reportRange, scoreReport } from '#core/scores.ts';
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
