import * as z from 'zod/mini';
import { dateIssues, MAX_RANGE_DAYS } from '#core/date-range.ts';
import { surveyId } from '#core/schemas.ts';
import { DEFAULT_REPORT_DAYS, INTERVALS, resolveReportRange } from '#core/scores.ts';
import { defineRoutes, queryDate, todayUtc } from '#runtime/routes.ts';

export const routes = defineRoutes({
  'GET /v1/surveys/{surveyId}/scores': {
    auth: 'read',
    summary: "A survey's NPS, CSAT and CES over time",
    description:
      'Read from the aggregates kept by the stream scorer. See the contract for the SCORES shape. ' +
      `The range, defaults included, spans at most ${MAX_RANGE_DAYS} days (from and to included), and from is not after to.`,
    params: z.object({ surveyId }),
    query: z
      .object({
        from: z.optional(queryDate(`First day, YYYY-MM-DD (UTC); default: the ${DEFAULT_REPORT_DAYS} days that end on \`to\`.`)),
        to: z.optional(queryDate('Last day, YYYY-MM-DD (UTC); default today.')),
        interval: z._default(z.enum(INTERVALS).check(z.describe('day (default), week, month or total.')), 'day'),
        by: z.optional(
          z.string().check(z.maxLength(80), z.describe('channel, or attr.<name> for one of the survey’s segmentBy attributes.')),
        ),
      })
      .check(
        // The range as the report will cover it, defaults filled in: so a lone `from` ten years back is refused too.
        z.superRefine((query, ctx) => {
          const today = todayUtc();
          if (dateIssues(query, today).length > 0) return; // each date has said what is wrong with it
          for (const { path, message } of resolveReportRange(query.from, query.to, today).issues ?? []) {
            ctx.issues.push({ code: 'custom', path: [path], message, input: query });
          }
        }),
      ),
    responses: { 200: { description: 'The scores: total, series and, with by, segments.' } },
    errors: [400, 404],
  },
});
