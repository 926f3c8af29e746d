import * as z from 'zod/mini';
import { CHANGE_METRICS } from '#core/score-change.ts';
import { component, defineRoutes } from '#runtime/routes.ts';

const ScoreDropRunInput = component(
  'ScoreDropRunInput',
  z.strictObject({
    date: z.optional(
      z.iso.date().check(z.describe('Check as of this date (UTC, default today, not in the future): its last complete period.')),
    ),
  }),
);
// No body (or null) is "as of today".
const runInput = z.pipe(
  z.transform((body: unknown) => body ?? {}),
  ScoreDropRunInput,
);

const ScoreDropRun = component(
  'ScoreDropRun',
  z.strictObject({
    alerts: z.array(
      z.strictObject({
        surveyId: z.string(),
        metric: z.enum(CHANGE_METRICS),
        period: z.string().check(z.describe('The last complete period: `2026-11-24`, `2026-W48` or `2026-11`.')),
        previousPeriod: z.string(),
        score: z.number(),
        previousScore: z.number(),
        delta: z.number().check(z.describe('score − previousScore, one decimal: negative, and beyond the margin of error.')),
      }),
    ),
  }),
);

export const routes = defineRoutes({
  'POST /v1/alerts/score-drop/runs': {
    auth: 'admin',
    summary: 'Check every survey for a significant score drop now (or as of `date`)',
    description:
      'What the daily schedule does, on demand: compares each survey’s last complete period (config ' +
      '`alerts.scoreDrop.interval`) with the one before, and tells the team of each significant NPS or CSAT fall once ' +
      'per survey, metric and period. Answers every drop found, whether told now or before.',
    body: runInput,
    responses: { 200: { description: 'The drops found.', schema: ScoreDropRun } },
    errors: [400, 413, 415],
  },
});
