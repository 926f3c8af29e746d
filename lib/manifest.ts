/**
 * Every function of the service, its routes, stream consumers and schedules, as plain data. The CDK stack and
 * the local runner both read this list, so nothing exists in one world and not the other.
 */

/** What a function may touch: the stack turns this into env vars and IAM grants, the local runner into env vars. */
export interface Access {
  table?: 'read' | 'readWrite';
  /** Reads the link-signing keyring. */
  signingKeys?: boolean;
  /** Reads the admin token (admin routes, admin imports). */
  adminToken?: boolean;
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

export interface ScheduleSpec {
  /** Key of the cron expression in the config's `schedules`. */
  id: string;
  /** The event the function receives. */
  input: Record<string, unknown>;
}

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
    access: { table: 'readWrite', signingKeys: true, adminToken: true },
    routes: ['PUT /v1/surveys/{surveyId}', 'GET /v1/surveys/{surveyId}', 'POST /v1/surveys/{surveyId}/links'],
  },
  {
    name: 'ManageCustomers',
    entry: 'functions/manage-customers/handler.ts',
    access: { table: 'readWrite', adminToken: true },
    routes: ['PUT /v1/customers/{customerId}', 'GET /v1/customers/{customerId}'],
  },
  {
    name: 'SubmitResponse',
    entry: 'functions/submit-response/handler.ts',
    access: { table: 'readWrite', signingKeys: true, adminToken: true },
    routes: ['POST /v1/responses'],
  },
];

export const routesOf = (functions: readonly FunctionSpec[] = FUNCTIONS) =>
  functions.flatMap((fn) => (fn.routes ?? []).map((routeKey) => ({ routeKey, fn })));
