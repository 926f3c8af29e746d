import { CAMPAIGN_IDS } from '../functions/core/campaigns/registry.ts';
import { INVITATION_KEY_PREFIX, RESPONSE_KEY_PREFIX } from '../functions/data/keys.ts';
import type { TableOperation } from './table-access.ts';

/**
 * Every function of the service, its routes, stream consumers and schedules, as plain data. The CDK stack and
 * the local runner both read this list, so nothing exists in one world and not the other.
 */

/** What a function may touch: the stack turns this into env vars and IAM grants, the local runner into env vars. */
export interface Access {
  /**
   * The table operations its code performs (TABLE_NAME, and exactly `dynamodb:<operation>` on the table; Query also
   * on its indexes). A transaction is its items' operations. `test/infra/table-access.test.ts` derives the list from
   * the function's bundle and fails on any difference, either way.
   */
  table?: readonly TableOperation[];
  /** Learns the team's sites (config `allowedOrigins`, SITE_ORIGINS), which may frame its survey page. */
  siteOrigins?: boolean;
  /** Learns the config `brand` (BRAND, JSON): the survey page shows its logo or name, in its colour. */
  brand?: boolean;
  /** Reads the link-signing keyring. */
  signingKeys?: boolean;
  /**
   * Reads the admin token (every route that is not public). Such routes accept API keys too, which the function
   * reads by id: its `table` includes GetItem.
   */
  adminToken?: boolean;
  /**
   * Sends appreciation emails: `ses:SendEmail` on the sender's identity and the configuration set only, and the
   * appreciation settings as env (`appreciationEnvironment(config)`, SES_CONFIGURATION_SET, PUBLIC_BASE_URL).
   */
  mailer?: boolean;
  /** Applies the invitations' contact rules: config `surveyThrottleDays` as SURVEY_THROTTLE_DAYS. */
  contactRules?: boolean;
  /** Publishes to the team's SNS topic (TEAM_TOPIC_ARN, `sns:Publish` on that topic). */
  teamTopic?: boolean;
  /** Invokes itself asynchronously (`lambda:InvokeFunction` on its own ARN): a long run goes on in a fresh invocation. */
  invokeSelf?: boolean;
  /**
   * Sends poison stream records to the scorer's dead-letter queue: deployed, an encrypted SQS queue
   * (SCORER_DLQ_URL, `sqs:SendMessage` on it); locally, a JSONL file (LOCAL_DLQ_PATH).
   */
  scorerDlq?: boolean;
  /**
   * Checks for score drops: config `alerts.scoreDrop` as SCORE_DROP_INTERVAL and SCORE_DROP_MIN_RESPONSES, and the
   * dashboard's address for its links (PUBLIC_BASE_URL).
   */
  scoreAlerts?: boolean;
  /**
   * Publishes webhook events (`publishWebhookEvent` in functions/data/webhooks.ts): deployed, WEBHOOK_QUEUE_URL and
   * `sqs:SendMessage` on the webhook queue; locally, the in-process queue. Publishing reads the webhooks and writes
   * deliveries, so its `table` includes Query and PutItem.
   */
  webhookQueue?: boolean;
}

export interface FunctionSpec {
  /** PascalCase, stable: the construct id and the local name. */
  name: string;
  /** Path of the handler module from the project root; it exports `handler`. */
  entry: string;
  access: Access;
  /** API routes as HTTP API route keys, `METHOD /path/{param}`. */
  routes?: readonly string[];
  /** Consumes the table's stream (Lambda event source mapping; locally, the stream poller). */
  stream?: StreamConsumer;
  /** Invoked on schedules (EventBridge Scheduler; locally, the same cron): cron from config `schedules[id]`. */
  schedules?: readonly ScheduleSpec[];
  /** Receives SES bounce and complaint events: configuration set → SNS topic → this function (deployed only). */
  emailEvents?: boolean;
  /**
   * Consumes the webhook queue (deployed: an SQS event source mapping with ReportBatchItemFailures; locally:
   * lib/local/webhook-queue.ts, with the same SQS events) and dead-letters deliveries that failed every attempt
   * (WEBHOOK_DEAD_LETTERS_URL, `sqs:SendMessage` on the dead-letter queue).
   */
  webhookDeliveries?: WebhookQueueConsumer;
  memorySize?: number;
  timeoutSeconds?: number;
}

export interface StreamConsumer {
  batchSize: number;
  maxBatchingWindowSeconds: number;
  retryAttempts: number;
  maxRecordAgeSeconds: number;
  bisectBatchOnError: boolean;
  /** Lambda event filter patterns (deployed: the event source mapping; locally: the poller applies them too). */
  filterPatterns?: ReadonlyArray<Record<string, unknown>>;
}

export interface WebhookQueueConsumer {
  /** Messages per invocation, delivered side by side. */
  batchSize: number;
  /** Receives of one message before SQS moves it to the dead-letter queue (a crash or storage error each time). */
  maxReceiveCount: number;
}

export interface ScheduleSpec {
  /** Stable name; unless `cron` is given, the key of the cron expression in the config's `schedules`. */
  id: string;
  /** A fixed EventBridge cron the config does not change (e.g. the resume sweep's 5 minutes). */
  cron?: string;
  /** The event the function receives. */
  input: Record<string, unknown>;
}

/**
 * How often paused campaign runs are looked at: a run paused by SES goes on within this long after its pause is
 * over. Issue 9's invitation dispatcher can share this tick.
 */
export const EVERY_FIVE_MINUTES = 'cron(0/5 * * * ? *)';

/** Stream records of response and invitation items only: the stream consumers' own writes never invoke them. */
const RESPONSE_AND_INVITATION_RECORDS = [
  { dynamodb: { Keys: { pk: { S: [{ prefix: RESPONSE_KEY_PREFIX }, { prefix: INVITATION_KEY_PREFIX }] } } } },
];

/** Memory and timeout of a function that does not set its own. */
export const DEFAULT_MEMORY_MB = 256;
export const DEFAULT_TIMEOUT_SECONDS = 10;

export const FUNCTIONS: readonly FunctionSpec[] = [
  {
    name: 'Health',
    entry: 'functions/health/handler.ts',
    access: {},
    // $default answers unmatched requests with the contract's 404, locally and deployed alike.
    routes: ['GET /health', '$default'],
  },
  {
    name: 'ManageSurveys',
    entry: 'functions/manage-surveys/handler.ts',
    access: { table: ['GetItem', 'Query', 'UpdateItem'], signingKeys: true, adminToken: true },
    routes: ['PUT /v1/surveys/{surveyId}', 'GET /v1/surveys/{surveyId}', 'POST /v1/surveys/{surveyId}/links', 'GET /v1/surveys'],
  },
  {
    name: 'ManageCustomers',
    entry: 'functions/manage-customers/handler.ts',
    access: { table: ['GetItem', 'BatchGetItem', 'Query', 'UpdateItem'], adminToken: true },
    routes: [
      'PUT /v1/customers/{customerId}',
      'GET /v1/customers/{customerId}',
      'GET /v1/customers/{customerId}/export',
      'GET /v1/customers/{customerId}/timeline',
      'GET /v1/customers',
    ],
  },
  {
    name: 'EraseCustomer',
    entry: 'functions/erase-customer/handler.ts',
    access: { table: ['GetItem', 'Query', 'PutItem', 'DeleteItem', 'BatchWriteItem'], adminToken: true, invokeSelf: true },
    routes: ['DELETE /v1/customers/{customerId}'],
    // A large customer is deleted a page at a time until 30 s before the timeout, then in a fresh invocation.
    timeoutSeconds: 300,
  },
  {
    name: 'InviteCustomers',
    entry: 'functions/invite-customers/handler.ts',
    access: { table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'], adminToken: true, contactRules: true },
    routes: ['POST /v1/events', 'POST /v1/surveys/{surveyId}/invitations', 'GET /v1/surveys/{surveyId}/invitations'],
    // An event reads and writes a few items; 500 customers by hand are 500 transactions, 8 at a time.
    timeoutSeconds: 29,
  },
  {
    name: 'ManageKeys',
    entry: 'functions/manage-keys/handler.ts',
    access: { table: ['GetItem', 'Query', 'PutItem', 'DeleteItem'], adminToken: true },
    routes: ['POST /v1/keys', 'GET /v1/keys', 'DELETE /v1/keys/{keyId}'],
  },
  {
    name: 'SubmitResponse',
    entry: 'functions/submit-response/handler.ts',
    access: { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], signingKeys: true, adminToken: true },
    routes: ['POST /v1/responses'],
  },
  {
    name: 'Pages',
    entry: 'functions/serve-pages/handler.ts',
    access: { table: ['GetItem'], signingKeys: true, siteOrigins: true, brand: true },
    routes: ['GET /s/{surveyId}', 'GET /dashboard'],
  },
  {
    name: 'SendAppreciation',
    entry: 'functions/send-appreciation/handler.ts',
    access: {
      table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
      signingKeys: true,
      adminToken: true,
      mailer: true,
      brand: true,
      teamTopic: true,
      invokeSelf: true,
    },
    routes: ['POST /v1/campaigns/{campaignId}/runs', 'GET /v1/campaigns/{campaignId}/runs/{runId}'],
    // One schedule per campaign of the registry, its cron from config `schedules[campaignId]`; and the resume sweep,
    // which hands on paused runs of every campaign once their pause is over.
    schedules: [
      ...CAMPAIGN_IDS.map((campaignId) => ({ id: campaignId, input: { campaignId } })),
      { id: 'resume-paused-runs', cron: EVERY_FIVE_MINUTES, input: { resumePausedRuns: {} } },
    ],
    // A run works until 30 s before the timeout, then continues in a fresh invocation.
    timeoutSeconds: 900,
    memorySize: 512,
  },
  {
    name: 'DispatchInvitations',
    entry: 'functions/dispatch-invitations/handler.ts',
    access: {
      table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem', 'ConditionCheckItem'],
      signingKeys: true,
      adminToken: true,
      mailer: true,
      brand: true,
      contactRules: true,
      invokeSelf: true,
    },
    routes: ['POST /v1/invitations/dispatch'],
    // Config `schedules.invitations` (every 5 minutes by default): schedules the cadence's invitations, sends what is due.
    schedules: [{ id: 'invitations', input: { dispatch: 'invitations' } }],
    // A backlog is worked until 30 s before the timeout, then goes on in a fresh invocation.
    timeoutSeconds: 900,
    memorySize: 512,
  },
  {
    name: 'ReportScores',
    entry: 'functions/report-scores/handler.ts',
    access: { table: ['GetItem', 'Query'], adminToken: true },
    routes: ['GET /v1/surveys/{surveyId}/scores'],
  },
  {
    name: 'ListResponses',
    entry: 'functions/list-responses/handler.ts',
    access: { table: ['GetItem', 'Query'], adminToken: true },
    routes: ['GET /v1/surveys/{surveyId}/responses'],
  },
  {
    name: 'ScoreResponses',
    entry: 'functions/score-responses/handler.ts',
    access: { table: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem'], scorerDlq: true },
    stream: {
      // 100 records fill one transaction's worth of claims; a batch is written in about a second.
      batchSize: 100,
      // Up to a second of batching: fewer, fuller invocations, and scores still move within seconds.
      maxBatchingWindowSeconds: 1,
      // Poison goes to the DLQ and never blocks; what fails is throttling or an outage, worth retrying for hours.
      retryAttempts: 10,
      maxRecordAgeSeconds: 6 * 60 * 60,
      bisectBatchOnError: true,
      // Only response and invitation items: the scorer's own aggregate and claim writes never invoke it.
      filterPatterns: RESPONSE_AND_INVITATION_RECORDS,
    },
    timeoutSeconds: 60,
  },
  {
    name: 'NotifyTeam',
    entry: 'functions/notify-team/handler.ts',
    access: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem'], teamTopic: true, webhookQueue: true },
    stream: {
      // Small batches: a detractor's alert waits for no more than a few records before it.
      batchSize: 25,
      maxBatchingWindowSeconds: 1,
      // What fails is the mail service, the webhook queue or the table being unavailable: worth retrying for hours.
      retryAttempts: 10,
      maxRecordAgeSeconds: 6 * 60 * 60,
      bisectBatchOnError: true,
      // Responses (created, updated, detractors) and invitations (answered) only.
      filterPatterns: RESPONSE_AND_INVITATION_RECORDS,
    },
    timeoutSeconds: 60,
  },
  {
    name: 'CheckScoreDrops',
    entry: 'functions/check-score-drops/handler.ts',
    access: {
      table: ['GetItem', 'Query', 'PutItem', 'UpdateItem'],
      adminToken: true,
      teamTopic: true,
      scoreAlerts: true,
      webhookQueue: true,
    },
    routes: ['POST /v1/alerts/score-drop/runs'],
    // Config `schedules.score-alerts` (daily by default): compares every survey's last complete period with the one before.
    schedules: [{ id: 'score-alerts', input: { checkScoreDrops: {} } }],
    // The HTTP API waits 30 s at most; a survey costs a few queries.
    timeoutSeconds: 29,
  },
  {
    name: 'ManageWebhooks',
    entry: 'functions/manage-webhooks/handler.ts',
    access: { table: ['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem'], adminToken: true },
    routes: [
      'PUT /v1/webhooks/{webhookId}',
      'GET /v1/webhooks',
      'GET /v1/webhooks/{webhookId}',
      'DELETE /v1/webhooks/{webhookId}',
      'GET /v1/webhooks/{webhookId}/deliveries',
    ],
  },
  {
    name: 'DeliverWebhooks',
    entry: 'functions/deliver-webhooks/handler.ts',
    // It queues each retry itself (a message per attempt, hops for waits beyond SQS's 15-minute timer).
    access: { table: ['GetItem', 'UpdateItem'], webhookQueue: true },
    // Ten attempts side by side, each bounded by its own 5-second limit: one slow receiver holds up no other.
    webhookDeliveries: { batchSize: 10, maxReceiveCount: 5 },
    timeoutSeconds: 30,
  },
  {
    name: 'UnsubscribeCustomer',
    entry: 'functions/unsubscribe-customer/handler.ts',
    access: { table: ['GetItem', 'UpdateItem'], signingKeys: true },
    routes: ['GET /v1/unsubscribe', 'POST /v1/unsubscribe'],
  },
  {
    name: 'RecordEmailEvents',
    entry: 'functions/record-email-events/handler.ts',
    access: { table: ['GetItem', 'UpdateItem'] },
    emailEvents: true,
  },
];

export const routesOf = (functions: readonly FunctionSpec[] = FUNCTIONS) =>
  functions.flatMap((fn) => (fn.routes ?? []).map((routeKey) => ({ routeKey, fn })));
