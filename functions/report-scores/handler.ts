import { z } from 'zod/mini';
import { NotFound, ValidationFailed } from '#core/errors.ts';
import { surveyId } from '#core/schemas.ts';
import {
  addDays,
  ALL_DIMENSION,
  attributeDimension,
  dayOf,
  daysBetween,
  DEFAULT_REPORT_DAYS,
  INTERVALS,
  isDay,
  MAX_REPORT_DAYS,
  scoreReport,
} from '#core/scores.ts';
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

/** The range asked for; by default the last 30 days up to today (UTC). */
function reportRange(from: string | undefined, to: string | undefined, today: string) {
  const end = to ?? (from ? (addDays(from, DEFAULT_REPORT_DAYS - 1) < today ? addDays(from, DEFAULT_REPORT_DAYS - 1) : today) : today);
  const start = from ?? addDays(end, -(DEFAULT_REPORT_DAYS - 1));
  if (start > end) throw new ValidationFailed([{ path: 'from', message: '"from" must not be after "to".' }]);
  if (daysBetween(start, end) >= MAX_REPORT_DAYS) {
    throw new ValidationFailed([{ path: 'to', message: `A report spans at most ${MAX_REPORT_DAYS} days.` }]);
  }
  return { from: start, to: end };
}

export const handler = httpHandler({
  'GET /v1/surveys/{surveyId}/scores': {
    auth: 'admin',
    handle: async (req) => {
      const id = parse(surveyId, req.params.surveyId);
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
