import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { claimAlert, markAlertSent } from '#data/alert-marks.ts';
import { getCustomer } from '#data/customers.ts';
import { getSurveyCached } from '#data/surveys.ts';
import { teamMessenger } from '#data/team-notifier.ts';
import { publishWebhookEvent } from '#data/webhooks.ts';
import { ENV } from '#runtime/env.ts';
import { logger } from '#runtime/logger.ts';
import { sesClient } from '#runtime/ses-client.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { notifyBatch, type NotifierPorts } from './notify-batch.ts';

const db = tableFromEnv();
const env = process.env;
const detractor = (responseId: string) => ({ alert: 'detractor' as const, subject: responseId });
const now = () => new Date().toISOString();

const ports: NotifierPorts = {
  publish: publishWebhookEvent,
  readSurvey: (surveyId) => getSurveyCached(db, surveyId),
  readCustomer: (customerId) => getCustomer(db, customerId),
  claimAlert: (responseId, claimant) => claimAlert(db, detractor(responseId), claimant, now()),
  markAlertSent: (responseId, claimant) => markAlertSent(db, detractor(responseId), claimant, now()),
  sendTeamMessage: teamMessenger(
    { teamTopicArn: env[ENV.teamTopicArn], teamAddress: env[ENV.teamAddress], sender: env[ENV.senderAddress] },
    { sns: () => new SNSClient({}), ses: () => sesClient() },
  ),
  publicBaseUrl: () => process.env[ENV.publicBaseUrl],
  log: {
    info: (message, extra) => logger.info(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  },
};

/** The table's stream → webhook events and the team's detractor alerts. Partial failures are reported (ReportBatchItemFailures). */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) => notifyBatch(event.Records, ports));
