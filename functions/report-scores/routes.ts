import * as z from 'zod/mini';
import { surveyId } from '#core/schemas.ts';
import { INTERVALS, isDay } from '#core/scores.ts';
import { defineRoutes } from '#runtime/routes.ts';

const day = (description: string) => z.string().check(z.refine(isDay, 'Use a real date as YYYY-MM-DD.'), z.describe(description));

export const routes = defineRoutes({
  'GET /v1/surveys/{surveyId}/scores': {
    auth: 'admin',
    summary: "A survey's NPS, CSAT and CES over time",
    description: 'Read from the aggregates kept by the stream scorer. See the contract for the SCORES shape.',
    params: z.object({ surveyId }),
    query: z.object({
      from: z.optional(day('First day, YYYY-MM-DD (UTC); default: the 30 days that end on `to`.')),
      to: z.optional(day('Last day, YYYY-MM-DD (UTC); default today.')),
      interval: z._default(z.enum(INTERVALS).check(z.describe('day (default), week, month or total.')), 'day'),
      by: z.optional(
        z.string().check(z.maxLength(80), z.describe('channel, or attr.<name> for one of the survey’s segmentBy attributes.')),
      ),
    }),
    responses: { 200: { description: 'The scores: total, series and, with by, segments.' } },
    errors: [400, 404],
  },
});
