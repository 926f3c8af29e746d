import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { DEFAULT_SCORE_DROP, SCORE_DROP_INTERVALS } from '../functions/core/alerts/score-drop.ts';
import { CAMPAIGN_IDS, CAMPAIGNS, type CampaignId } from '../functions/core/campaigns/registry.ts';
import { UNSAFE_TEXT } from '../functions/core/schemas.ts';
import { ORIGIN } from './cors.ts';
import { cronProblem, timeZoneProblem } from './schedule-expression.ts';

/**
 * The deployment's settings: `cdk.json` context key `feedback`, overridable with `-c feedback='{…}'`.
 * The CDK app and the local runner both read them through here, so the local stack runs what would deploy.
 */

/** EventBridge Scheduler cron: minutes hours day-of-month month day-of-week year, by EventBridge's own rules. */
const cron = z.string().superRefine((value, ctx) => {
  const problem = cronProblem(value);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The invitation dispatcher's default: every 5 minutes, so an invitation leaves within minutes of being due. */
export const INVITATIONS_SCHEDULE = 'cron(0/5 * * * ? *)';

/** The score-drop check's default: daily at 07:00, when yesterday (and last week, last month) is complete. */
export const SCORE_ALERTS_SCHEDULE = 'cron(0 7 * * ? *)';

/** Every schedule's id: one per campaign, the invitation dispatcher and the score-drop check. */
export const SCHEDULE_IDS = [...CAMPAIGN_IDS, 'invitations', 'score-alerts'] as const;
export type ScheduleId = (typeof SCHEDULE_IDS)[number];

/** Each campaign's own default schedule, from its definition, and the dispatcher's. */
const DEFAULT_SCHEDULES = {
  ...(Object.fromEntries(CAMPAIGN_IDS.map((id) => [id, CAMPAIGNS[id].defaultSchedule])) as Record<CampaignId, string>),
  invitations: INVITATIONS_SCHEDULE,
  'score-alerts': SCORE_ALERTS_SCHEDULE,
} satisfies Record<ScheduleId, string>;

/** Local `HH:MM`, 00:00–23:59. */
const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'Use a 24-hour local time such as "09:00".');

export const configSchema = z.object({
  stage: z
    .string()
    .regex(/^[a-z0-9-]{1,20}$/)
    .default('prod'),
  senderAddress: z.email().default('feedback@example.com'),
  replyToAddress: z.email().optional(),
  teamAddress: z.email().optional(),
  /** Time zone of the campaign schedules (IANA). */
  timeZone: z
    .string()
    .superRefine((value, ctx) => {
      const problem = timeZoneProblem(value);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    })
    .default('UTC'),
  /** Cron per campaign and for the invitation dispatcher (`invitations`); those not named keep their default. */
  schedules: z
    .partialRecord(z.enum(SCHEDULE_IDS), cron)
    .default({})
    .transform((given) => ({ ...DEFAULT_SCHEDULES, ...given })),
  winBackDays: z.int().min(1).max(3650).default(90),
  frequencyCapDays: z.int().min(0).max(365).default(7),
  /** At most one survey invitation per customer in this many days, across surveys (reminders do not count). */
  surveyThrottleDays: z.int().min(0).max(365).default(30),
  /**
   * Invitations and reminders leave only inside this window of the customer's local time (their `timezone`, else
   * `timeZone`); one due outside it waits for the window to open. `to` earlier than `from` spans midnight.
   */
  sendWindow: z
    .object({ from: clockTime, to: clockTime })
    .refine((w) => w.from !== w.to, 'Give a window: "from" and "to" must differ.')
    .default({ from: '09:00', to: '20:00' }),
  /** Who the invitations, the survey page and the appreciation emails come from. */
  brand: z
    .object({
      name: z
        .string()
        .min(1)
        .max(100)
        .refine((s) => !UNSAFE_TEXT.test(s), 'Use plain text on one line.'),
      /** An https image, shown at most 160 × 48 px. */
      logoUrl: z
        .url({ protocol: /^https$/ })
        .max(2048)
        .optional(),
      /** The accent colour, `#rrggbb`. */
      color: z
        .string()
        .regex(/^#[0-9a-fA-F]{6}$/, 'Use a colour such as "#3949ab".')
        .optional(),
    })
    .default({ name: 'The Customer Team' }),
  /** SES maximum send rate (emails per second) the mailer keeps under. */
  maxSendRate: z.number().positive().max(1000).default(10),
  /** Offer or coupon text per campaign, included in that campaign's emails. */
  offers: z.partialRecord(z.enum(CAMPAIGN_IDS), z.string().max(500)).default({}),
  /** Origins (e.g. "https://shop.example") whose pages may submit responses from the browser, and frame the survey page. */
  allowedOrigins: z
    .array(z.string().regex(ORIGIN, 'Use an origin such as "https://shop.example": scheme and host, no path.'))
    .max(20)
    .default([]),
  /**
   * The score-drop alert: each survey's last complete `interval` against the one before, told when NPS or CSAT fell
   * significantly with at least `minResponses` answers for that metric in both.
   */
  alerts: z
    .object({
      scoreDrop: z
        .object({
          interval: z.enum(SCORE_DROP_INTERVALS).default(DEFAULT_SCORE_DROP.interval),
          minResponses: z.int().min(2).max(100_000).default(DEFAULT_SCORE_DROP.minResponses),
        })
        .default(DEFAULT_SCORE_DROP),
    })
    .default({ scoreDrop: DEFAULT_SCORE_DROP }),
  /** Optional: a custom domain's base URL for links; defaults to the API's URL. */
  publicBaseUrl: z.url().optional(),
});

export type FeedbackConfig = z.infer<typeof configSchema>;

export function parseConfig(raw: unknown): FeedbackConfig {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) {
    const issues = result.error.issues.map((i) => `feedback.${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`Invalid "feedback" context in cdk.json: ${issues}`);
  }
  return result.data;
}

/** The settings in cdk.json, for the local runner (the CDK app gets them from its context instead). */
export function configFromCdkJson(path = 'cdk.json'): FeedbackConfig {
  const json = JSON.parse(readFileSync(path, 'utf8')) as { context?: { feedback?: unknown } };
  return parseConfig(json.context?.feedback);
}
