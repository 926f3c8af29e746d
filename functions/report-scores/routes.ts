import * as z from 'zod/mini';
import { dateIssues, MAX_RANGE_DAYS } from '#core/date-range.ts';
import { SCALE_QUESTIONS } from '#core/questions/index.ts';
import { surveyId } from '#core/schemas.ts';
import { DEFAULT_REPORT_DAYS, INTERVALS, resolveReportRange } from '#core/scores.ts';
import { component, defineRoutes, queryDate, todayUtc } from '#runtime/routes.ts';

// ---- the answer (documentation: core/scores.ts scoreReport builds it) ----

const count = z.int().check(z.gte(0));
const distribution = z.record(z.string(), count).check(z.describe('Answers by value, every value of the scale.'));
const ROLE_SCORES = {
  netPromoter: component(
    'NetPromoterScore',
    z.strictObject({
      score: z.number(),
      promoters: count,
      passives: count,
      detractors: count,
      responses: count,
      marginOfError95: z.nullable(z.number()).check(z.describe('95% margin of the score; null below 2 answers.')),
    }),
  ),
  topBox: component('TopBoxScore', z.strictObject({ score: z.number(), average: z.number(), responses: count, distribution })),
  average: component('AverageScore', z.strictObject({ average: z.number(), responses: count, distribution })),
};
/** `responses`, and a score (null without answers) per scale question, by its scoring role. */
const scoreFields = {
  responses: count,
  ...Object.fromEntries(SCALE_QUESTIONS.map((q) => [q.id, z.nullable(ROLE_SCORES[q.scoring.kind])])),
};
const Invitations = component(
  'InvitationRate',
  z.strictObject({ sent: count, answered: count, responseRate: z.nullable(z.number()) }),
);
const MetricChange = component(
  'MetricChange',
  z.strictObject({
    delta: z.number().check(z.describe('Score minus the previous period’s, one decimal (CSAT in percentage points).')),
    significant: z.boolean().check(z.describe('|delta| > 1.96 × the standard error of the difference.')),
  }),
);
const ScoreChange = component(
  'ScoreChange',
  z
    .strictObject({
      nps: z.nullable(MetricChange),
      csat: z.nullable(MetricChange),
    })
    .check(z.describe('Against the period before; a metric is null when either period has fewer than 2 answers.')),
);
const Scores = component(
  'Scores',
  z.strictObject({
    surveyId,
    from: z.string(),
    to: z.string(),
    interval: z.enum(INTERVALS),
    total: z.strictObject({ ...scoreFields, invitations: Invitations }),
    series: z.array(
      z.strictObject({
        period: z.string(),
        ...scoreFields,
        invitations: Invitations,
        change: z.nullable(ScoreChange).check(z.describe('Null on the first item.')),
      }),
    ),
    segments: z.optional(
      z
        .array(
          z.strictObject({
            key: z
              .nullable(z.string())
              .check(z.describe('The channel or attribute value; null: the responses without one (listed last).')),
            ...scoreFields,
          }),
        )
        .check(z.describe('With `by`: the segments, which add up to `total.responses`.')),
    ),
  }),
);

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
    responses: { 200: { description: 'The scores: total, series and, with by, segments.', schema: Scores } },
    errors: [400, 404],
  },
});
