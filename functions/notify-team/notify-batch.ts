import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue as SdkAttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBBatchResponse, DynamoDBRecord } from 'aws-lambda';
import {
  alertsDetractor,
  customerDashboardUrl,
  detractorAlertEvent,
  detractorAlertMessage,
  invitationEvents,
  readInvitation,
  readResponse,
  responseEvents,
  type DetractorAlert,
  type SendTeamMessage,
} from '#core/alerts/notices.ts';
import type { PublishWebhookEvent } from '#core/webhook-events.ts';
import type { AlertClaim } from '#data/alert-marks.ts';
import { INVITATION_KEY_PREFIX, RESPONSE_KEY_PREFIX } from '#data/keys.ts';

export interface NotifierPorts {
  /** How the sent mark's retries wait (tests pass a no-op). @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  publish: PublishWebhookEvent;
  readSurvey(surveyId: string): Promise<{ name?: string } | undefined>;
  readCustomer(customerId: string): Promise<{ name?: string } | undefined>;
  /** Claims the response's detractor alert for this stream record (alert-marks.ts). */
  claimAlert(responseId: string, claimant: string): Promise<AlertClaim>;
  markAlertSent(responseId: string, claimant: string): Promise<void>;
  /** Undefined: nobody to tell (no team topic, no team address); the alert is logged and still published. */
  sendTeamMessage?: SendTeamMessage;
  /** The base of dashboard links (PUBLIC_BASE_URL); read per batch, as the local stack sets it once its API is up. */
  publicBaseUrl(): string | undefined;
  log: {
    info(message: string, extra?: Record<string, unknown>): void;
    error(message: string, extra?: Record<string, unknown>): void;
  };
}

type Image = Record<string, unknown> | undefined;

const imageOf = (image: unknown): Image => {
  if (!image) return undefined;
  try {
    return unmarshall(image as Record<string, SdkAttributeValue>);
  } catch {
    return undefined; // the scorer dead-letters a record it cannot read; there is nothing to tell about it here
  }
};

/**
 * One batch of the table's stream through the notifier, in order: each response and invitation change becomes its
 * webhook events (published idempotently by their stable ids) and, for a new detractor, the team's alert (claimed
 * per response, so it goes out once). The first record that fails stops the batch and is reported, so it and what
 * follows come back; everything before it is done and stays done on a replay.
 */
export async function notifyBatch(records: readonly DynamoDBRecord[], ports: NotifierPorts): Promise<DynamoDBBatchResponse> {
  let alerts = 0;
  let events = 0;
  for (const record of records) {
    try {
      const done = await notifyRecord(record, ports);
      alerts += done.alerts;
      events += done.events;
    } catch (error) {
      ports.log.error('NotifyFailed', {
        error: error as Error,
        eventId: record.eventID,
        sequenceNumber: record.dynamodb?.SequenceNumber,
      });
      return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' }] };
    }
  }
  if (events > 0) ports.log.info('TeamNotified', { records: records.length, events, alerts });
  return { batchItemFailures: [] };
}

async function notifyRecord(record: DynamoDBRecord, ports: NotifierPorts): Promise<{ events: number; alerts: number }> {
  const pk = (record.dynamodb?.Keys as Record<string, { S?: string }> | undefined)?.pk?.S ?? '';
  const [old, current] = [imageOf(record.dynamodb?.OldImage), imageOf(record.dynamodb?.NewImage)];
  if (pk.startsWith(INVITATION_KEY_PREFIX)) {
    const published = invitationEvents(readInvitation(old), readInvitation(current));
    for (const event of published) await ports.publish(event);
    return { events: published.length, alerts: 0 };
  }
  if (!pk.startsWith(RESPONSE_KEY_PREFIX)) return { events: 0, alerts: 0 };
  const [before, after] = [readResponse(old), readResponse(current)];
  const published = responseEvents(before, after);
  for (const event of published) await ports.publish(event);
  if (!after || after.nps === undefined || !alertsDetractor(before, after)) return { events: published.length, alerts: 0 };

  const survey = await ports.readSurvey(after.surveyId);
  const profile = after.customerId === undefined ? undefined : await ports.readCustomer(after.customerId);
  const base = ports.publicBaseUrl() ?? '';
  const alert: DetractorAlert = {
    response: { ...after, nps: after.nps },
    survey: { surveyId: after.surveyId, ...(survey?.name ? { name: survey.name } : {}) },
    customer:
      after.customerId === undefined ? null : { customerId: after.customerId, ...(profile?.name ? { name: profile.name } : {}) },
    dashboardUrl: after.customerId === undefined ? null : customerDashboardUrl(base, after.customerId),
  };
  await ports.publish(detractorAlertEvent(alert));
  // The claimant is the stream record: its retries (the same eventID) resume a claim they made and did not finish.
  const claimant = record.eventID ?? record.dynamodb?.SequenceNumber ?? '';
  const claim = await ports.claimAlert(after.responseId, claimant);
  if (claim !== 'claimed') return { events: published.length + 1, alerts: 0 };
  if (ports.sendTeamMessage) await ports.sendTeamMessage(detractorAlertMessage(alert));
  else ports.log.info('DetractorAlertNotSent', { reason: 'no team topic or team address', responseId: after.responseId });
  await markSent(ports, after.responseId, claimant);
  ports.log.info('DetractorAlerted', { responseId: after.responseId, surveyId: after.surveyId });
  return { events: published.length + 1, alerts: 1 };
}

/** Attempts at the sent mark: once the email is out, only this write keeps a replay of the record from sending it again. */
export const MARK_ATTEMPTS = 5;

/**
 * Marks the alert sent, retrying whatever fails (the mark is conditional on the claimant, so a write that landed
 * and lost its answer is harmless to repeat). Never throws: the email is out, and failing the record would send it
 * again. Only if every attempt fails does the claim stay open, and a replay of this very record then sends once more.
 */
async function markSent(ports: NotifierPorts, responseId: string, claimant: string): Promise<void> {
  const sleep = ports.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  for (let attempt = 1; ; attempt++) {
    try {
      return await ports.markAlertSent(responseId, claimant);
    } catch (error) {
      if (attempt === MARK_ATTEMPTS) {
        ports.log.error('AlertMarkNotWritten', { error: error as Error, responseId, attempts: attempt });
        return;
      }
      await sleep(50 * 2 ** attempt);
    }
  }
}
