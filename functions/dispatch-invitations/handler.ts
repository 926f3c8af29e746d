import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { ValidationFailed } from '#core/errors.ts';
import { scheduleCadence } from '#data/cadence.ts';
import { dynamoMailStore } from '#data/mail-ledger.ts';
import { sesMailer } from '#data/mailer.ts';
import { dynamoSendRate } from '#data/send-rate.ts';
import { ENV } from '#runtime/env.ts';
import { httpHandler } from '#runtime/http.ts';
import { jobBudgetMs, selfContinuation } from '#runtime/jobs.ts';
import { logger } from '#runtime/logger.ts';
import { signingKeyring } from '#runtime/secrets.ts';
import { sesClient } from '#runtime/ses-client.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { dispatchDue } from './dispatch.ts';
import type { DispatchPorts } from './ports.ts';
import { routes } from './routes.ts';
import { dynamoInvitationStore } from './store.ts';
import { dispatchEnv } from './settings.ts';

/**
 * The invitation dispatcher: its schedule (`{"dispatch":"invitations"}`, every few minutes), its own continuations
 * through a backlog, and `POST /v1/invitations/dispatch`, in one function so a dispatch is the same code whoever
 * starts it.
 */
const env = dispatchEnv();
const table = tableFromEnv();

/** `at` may be this far from now, either way. */
const AT_WINDOW_DAYS = 30;
/** An HTTP dispatch answers within this time (API Gateway's limit is 30 s); what is left, the next tick sends. */
const HTTP_BUDGET_MS = 20_000;
/** Locally there is no Lambda timeout: a tick works this long; the next tick goes on. */
const LOCAL_JOB_BUDGET_MS = 4 * 60_000;

const handOn = selfContinuation<Job>();

const ports = (linkBaseUrl: string): DispatchPorts => ({
  invitations: dynamoInvitationStore(table),
  mail: dynamoMailStore(table),
  send: mailer,
  keyring: signingKeyring,
  now: () => Date.now(),
  settings: env.settings,
  linkBaseUrl,
});

const mailer = sesMailer({
  client: sesClient(),
  from: env.sender,
  replyTo: env.replyTo,
  configurationSet: env.configurationSet,
  maxSendRate: env.settings.maxSendRate,
  // One rate for the account: invitations share it with every other email through the table.
  sendRate: dynamoSendRate(table, env.settings.maxSendRate),
});

/** Config `surveyThrottleDays`, for the cadence's contact rules. */
const throttleDays = Number(process.env[ENV.surveyThrottleDays] ?? '30');
if (!Number.isInteger(throttleDays) || throttleDays < 0)
  throw new Error(`Set ${ENV.surveyThrottleDays} to a whole number of days.`);

const http = httpHandler(routes, {
  'POST /v1/invitations/dispatch': {
    handle: async (req) => {
      const now = Date.now();
      const at = req.body.at === undefined ? now : Date.parse(req.body.at);
      if (Math.abs(at - now) > AT_WINDOW_DAYS * 86_400_000) {
        throw new ValidationFailed([{ path: 'at', message: `Use an instant within ${AT_WINDOW_DAYS} days of now.` }]);
      }
      const {
        more: _more,
        stopped: _stopped,
        ...counts
      } = await dispatchDue(ports(env.publicBaseUrl ?? req.origin), at, now + HTTP_BUDGET_MS);
      return { status: 200, body: counts };
    },
  },
});

interface Job {
  dispatch: 'invitations';
}

async function tick(event: Job, context: Context | undefined) {
  if (!env.publicBaseUrl) throw new Error(`Set ${ENV.publicBaseUrl}: scheduled emails need it for their links.`);
  const now = Date.now();
  const deadline = now + jobBudgetMs(context, LOCAL_JOB_BUDGET_MS);
  // The cadence's turn first: the relationship surveys' invitations due by now join the due index, then go out.
  const cadence = await scheduleCadence(table, { throttleDays }, now, deadline);
  if (cadence.scheduled || cadence.skipped) logger.info('CadenceScheduled', { ...cadence });
  const result = await dispatchDue(ports(env.publicBaseUrl), Date.now(), deadline);
  logger.info('InvitationsDispatched', { ...result });
  // A backlog: go on in a fresh invocation now rather than at the next tick (locally, the next tick goes on).
  if (result.more && !result.stopped) await handOn(event);
  return result;
}

const jobHandler = middy<Job, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => tick(event, context));

const isHttpEvent = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && 'requestContext' in event && 'routeKey' in event;

export const handler = (event: unknown, context: Context) =>
  isHttpEvent(event) ? http(event as Parameters<typeof http>[0], context) : jobHandler(event as Job, context);
