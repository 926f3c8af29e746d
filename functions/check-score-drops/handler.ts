import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { parseScoreDropSettings } from '#core/alerts/score-drop.ts';
import { EARLIEST_DATE } from '#core/date-range.ts';
import { isIsoDate } from '#core/dates.ts';
import { ValidationFailed } from '#core/errors.ts';
import { newId } from '#core/ids.ts';
import { dayOf } from '#core/scores.ts';
import { claimAlert, markAlertSent } from '#data/alert-marks.ts';
import { decodeCursor, listSurveyResponses } from '#data/response-listing.ts';
import { readScoreDays } from '#data/scores.ts';
import { listSurveys } from '#data/surveys.ts';
import { teamMessenger } from '#data/team-notifier.ts';
import { publishWebhookEvent } from '#data/webhooks.ts';
import { ENV } from '#runtime/env.ts';
import { httpHandler } from '#runtime/http.ts';
import { logger } from '#runtime/logger.ts';
import { sesClient } from '#runtime/ses-client.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { checkScoreDrops, type ScoreDropPorts } from './check.ts';
import { routes } from './routes.ts';

const db = tableFromEnv();
const env = process.env;
const settings = parseScoreDropSettings(env[ENV.scoreDropInterval], env[ENV.scoreDropMinResponses]);
/** A claim older than this was left by a run that crashed before sending: the next run takes it over. */
const STALE_CLAIM_MS = 5 * 60_000;
const scoreDrop = (alertId: string) => ({ alert: 'score_drop' as const, subject: alertId });

const ports: ScoreDropPorts = {
  listSurveys: () => listSurveys(db),
  readDays: (surveyId, dimension, from, to) => readScoreDays(db, surveyId, dimension, from, to),
  listResponses: async (surveyId, range, cursor) => {
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    return listSurveyResponses(db, surveyId, { from: range.from, to: range.to, limit: 100, after });
  },
  claim: (alertId, runId) =>
    claimAlert(db, scoreDrop(alertId), runId, new Date().toISOString(), {
      staleBefore: new Date(Date.now() - STALE_CLAIM_MS).toISOString(),
    }),
  markSent: (alertId, runId) => markAlertSent(db, scoreDrop(alertId), runId, new Date().toISOString()),
  publish: publishWebhookEvent,
  sendTeamMessage: teamMessenger(
    { teamTopicArn: env[ENV.teamTopicArn], teamAddress: env[ENV.teamAddress], sender: env[ENV.senderAddress] },
    { sns: () => new SNSClient({}), ses: () => sesClient() },
  ),
  // Read per run: the local stack sets it once its API is up.
  publicBaseUrl: () => process.env[ENV.publicBaseUrl],
  log: {
    info: (message, extra) => logger.info(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  },
};

/** A check looks back at complete periods: a date after today would take today's partial day for a whole one. */
function checkDate(date: string | undefined, today: string): string {
  if (date === undefined) return today;
  if (!isIsoDate(date) || date < EARLIEST_DATE || date > today)
    throw new ValidationFailed([{ path: 'date', message: `Use a date from ${EARLIEST_DATE} to ${today} (UTC).` }]);
  return date;
}

const http = httpHandler(routes, {
  'POST /v1/alerts/score-drop/runs': {
    handle: async (req) => {
      const date = checkDate(req.body.date, dayOf(Date.now()));
      const alerts = await checkScoreDrops(ports, settings, date, newId());
      return { status: 200, body: { alerts } };
    },
  },
});

interface CheckJob {
  checkScoreDrops: Record<string, never>;
}

const jobHandler = middy<CheckJob, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const alerts = await checkScoreDrops(ports, settings, dayOf(Date.now()), newId());
    return { alerts: alerts.length };
  });

const isHttpEvent = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && 'requestContext' in event && 'routeKey' in event;

/** The daily schedule (`{"checkScoreDrops": {}}`) and the on-demand route, one check whoever starts it. */
export const handler = (event: unknown, context: Context) =>
  isHttpEvent(event) ? http(event as Parameters<typeof http>[0], context) : jobHandler(event as CheckJob, context);
