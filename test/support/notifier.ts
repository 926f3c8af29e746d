import { marshall } from '@aws-sdk/util-dynamodb';
import type { DynamoDBRecord } from 'aws-lambda';
import type { TeamMessage } from '../../functions/core/alerts/notices.ts';
import type { WebhookEvent } from '../../functions/core/webhook-events.ts';
import type { AlertClaim } from '../../functions/data/alert-marks.ts';
import { keys } from '../../functions/data/keys.ts';
import type { NotifierPorts } from '../../functions/notify-team/notify-batch.ts';

type Item = Record<string, unknown>;

let sequence = 1_000;

/** A stream record of the table as Lambda delivers it (NEW_AND_OLD_IMAGES). */
export function streamRecord(key: { pk: string; sk: string }, before: Item | undefined, after: Item | undefined): DynamoDBRecord {
  const eventID = `${Date.now().toString(16)}${(sequence++).toString(16).padStart(8, '0')}`;
  return {
    eventID,
    eventName: before ? (after ? 'MODIFY' : 'REMOVE') : 'INSERT',
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'us-east-1',
    dynamodb: {
      Keys: marshall(key) as never,
      ...(after ? { NewImage: marshall(after, { removeUndefinedValues: true }) as never } : {}),
      ...(before ? { OldImage: marshall(before, { removeUndefinedValues: true }) as never } : {}),
      SequenceNumber: String(sequence).padStart(21, '0'),
      StreamViewType: 'NEW_AND_OLD_IMAGES',
    },
  };
}

/** A stored response item, as the submission path writes it. */
export function responseItem(responseId: string, fields: Item): Item {
  const now = new Date().toISOString();
  return {
    ...keys.response(responseId),
    type: 'response',
    responseId,
    surveyId: 's-1',
    customerId: 'c-1',
    submittedAt: now,
    receivedAt: now,
    createdAt: now,
    version: 1,
    ...fields,
  };
}

/** What the notifier published and sent, recorded; the publisher is idempotent by id, as the real one is. */
export function recordingOutbox() {
  const published: WebhookEvent[] = [];
  const messages: TeamMessage[] = [];
  return {
    published,
    messages,
    /** Distinct events by id: what webhooks deliver. */
    events: () => [...new Map(published.map((e) => [e.id, e])).values()],
    publish: async (event: WebhookEvent) => void published.push(event),
    sendTeamMessage: async (message: TeamMessage) => void messages.push(message),
  };
}

/** The alert marks in memory, with alert-marks.ts's rules: the claimant that holds a claimed mark sends. */
export function memoryMarks() {
  const marks = new Map<string, { status: 'claimed' | 'sent'; claimedBy: string }>();
  return {
    marks,
    claimAlert: async (responseId: string, claimant: string): Promise<AlertClaim> => {
      const mark = marks.get(responseId);
      if (!mark) {
        marks.set(responseId, { status: 'claimed', claimedBy: claimant });
        return 'claimed';
      }
      if (mark.status === 'sent') return 'sent';
      return mark.claimedBy === claimant ? 'claimed' : 'held';
    },
    markAlertSent: async (responseId: string, claimant: string) => {
      const mark = marks.get(responseId);
      if (mark?.claimedBy === claimant) mark.status = 'sent';
    },
  };
}

export const quietLog: NotifierPorts['log'] = { info: () => undefined, error: () => undefined };
