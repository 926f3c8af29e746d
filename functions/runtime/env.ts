import * as z from 'zod/mini';

/** Env var names: one list, imported by the CDK stack and the local runner too, so they cannot drift. */
export const ENV = {
  tableName: 'TABLE_NAME',
  /** Local: the admin token itself. Deployed: ADMIN_TOKEN_SECRET_ARN instead. */
  adminToken: 'FEEDBACK_ADMIN_TOKEN',
  adminTokenSecretArn: 'ADMIN_TOKEN_SECRET_ARN',
  /** Local: the signing keyring JSON. Deployed: SIGNING_KEYS_SECRET_ARN instead. */
  signingKeys: 'SIGNING_KEYS',
  signingKeysSecretArn: 'SIGNING_KEYS_SECRET_ARN',
  /** Config `allowedOrigins`, space-separated: the team's sites, which may frame the survey page. */
  siteOrigins: 'SITE_ORIGINS',
  /** Config `brand` as JSON (name, logoUrl, color): who the survey page, invitations and appreciation emails come from. */
  brand: 'BRAND',
  /** Base URL for links in emails and API answers; defaults to the request's own origin. */
  publicBaseUrl: 'PUBLIC_BASE_URL',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  sesEndpoint: 'SES_ENDPOINT',
  /** Appreciation emails: the From and Reply-To addresses, and the team's address (local notifications). */
  senderAddress: 'SENDER_ADDRESS',
  replyToAddress: 'REPLY_TO_ADDRESS',
  teamAddress: 'TEAM_ADDRESS',
  /** The SNS topic the team hears about detractors on (deployed); without it, a mail to TEAM_ADDRESS or a log line. */
  teamTopicArn: 'TEAM_TOPIC_ARN',
  /** The SES configuration set that publishes bounces and complaints (deployed). */
  sesConfigurationSet: 'SES_CONFIGURATION_SET',
  /** JSON: config `sendWindow` ({"from":"09:00","to":"20:00"}): when invitations may leave, in the customer's time. */
  sendWindow: 'SEND_WINDOW',
  /** IANA time zone of the campaign schedules: a scheduled run's date is today there. */
  scheduleTimeZone: 'SCHEDULE_TIME_ZONE',
  winBackDays: 'WIN_BACK_DAYS',
  frequencyCapDays: 'FREQUENCY_CAP_DAYS',
  /** Config `surveyThrottleDays`: at most one survey invitation per customer in this many days (0: off). */
  surveyThrottleDays: 'SURVEY_THROTTLE_DAYS',
  /** Emails per second the mailer keeps under (the account's SES maximum send rate). */
  maxSendRate: 'MAX_SEND_RATE',
  /** JSON object: offer or coupon text per campaign id. */
  campaignOffers: 'CAMPAIGN_OFFERS',
  /** Config `alerts.scoreDrop`: the periods the score-drop check compares (day, week, month), and answers each needs. */
  scoreDropInterval: 'SCORE_DROP_INTERVAL',
  scoreDropMinResponses: 'SCORE_DROP_MIN_RESPONSES',
  /** The scorer's dead-letter queue for poison records (SQS URL, deployed). */
  scorerDlqUrl: 'SCORER_DLQ_URL',
  /** Local: the JSONL file the scorer's poison records go to instead of SQS. */
  localDlqPath: 'LOCAL_DLQ_PATH',
  /** The webhook delivery queue (SQS URL, deployed); locally the in-process queue of lib/local/webhook-queue.ts. */
  webhookQueueUrl: 'WEBHOOK_QUEUE_URL',
  /** Where deliveries that failed every attempt are dead-lettered (SQS URL, deployed; the deliverer's only). */
  webhookDeadLettersUrl: 'WEBHOOK_DEAD_LETTERS_URL',
  /**
   * `1` on this machine only (`npm start`, tests; set by lib/local, never by the stack): webhooks may point at
   * http://127.0.0.1 and http://localhost.
   */
  localWebhooks: 'LOCAL_WEBHOOKS',
} as const;

export type EnvKey = (typeof ENV)[keyof typeof ENV];

/**
 * Parses the env vars a module needs, once, at load: a missing one fails the cold start with a clear message
 * rather than a request later.
 */
export function readEnv<S extends Record<string, z.ZodMiniType>>(
  shape: S,
  source: Record<string, string | undefined> = process.env,
): { [K in keyof S]: z.infer<S[K]> } {
  const result = z.object(shape).safeParse(source);
  if (!result.success) {
    const names = result.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Missing or invalid environment variables: ${names}`);
  }
  return result.data as { [K in keyof S]: z.infer<S[K]> };
}
