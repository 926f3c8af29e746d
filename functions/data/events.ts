import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { newId } from '#core/ids.ts';
import { eventSendAt, isSampled, type InvitationSkipReason } from '#core/invitations/rules.ts';
import type { CustomerInput } from '#core/schemas.ts';
import { customerUpdate } from './customers.ts';
import { cancellationCodes, isTransactionCanceled, retryTransient, userKeyedMap, type Db, type Item } from './db.ts';
import { customerFacts, invitationProblem, type ContactSettings } from './invitation-scheduling.ts';
import { readInviteStates, scheduleWrites, skippedInvitationPut, type NewInvitation } from './invitations.ts';
import { customerEventsIndex, keys } from './keys.ts';
import { listSurveysCached } from './surveys.ts';

/**
 * Events: a customer's interaction reported by the team's systems. Recording one is one transaction: the customer's
 * upsert (when the event carries one), the event (only if its id is new), the invitations it schedules and the
 * customer's invite state (only if no other invitation got there first), and the skips. A crash leaves all or
 * nothing; a concurrent duplicate loses on the event's condition and replays the winner's answer.
 */

export interface EventInput {
  eventId: string;
  customerId: string;
  type: string;
  /** Canonical ISO 8601 (toISOString). */
  occurredAt: string;
  properties?: Record<string, string | number | boolean>;
  customer?: CustomerInput;
}

export interface EventAnswer {
  eventId: string;
  customerId: string;
  type: string;
  occurredAt: string;
  invitations: Array<{ invitationId: string; surveyId: string; sendAt: string }>;
}

export type RecordedEvent =
  | { kind: 'created'; answer: EventAnswer }
  /** The same event again: the first answer. */
  | { kind: 'duplicate'; answer: EventAnswer }
  /** The event id was used with another body. */
  | { kind: 'reused' }
  | { kind: 'unknownCustomer' };

/** Lost conditions to decide again after: each means another event's invitation landed first. */
const ATTEMPTS = 5;

/**
 * Records an event and schedules the invitations it makes (`bodyHash`: a hash of the request, to tell a duplicate
 * from a reuse of the id). `nowMs`: the instant of the request.
 */
export async function recordEvent(
  db: Db,
  event: EventInput,
  bodyHash: string,
  options: { nowMs: number; settings: ContactSettings },
): Promise<RecordedEvent> {
  const now = new Date(options.nowMs).toISOString();
  for (let attempt = 1; ; attempt++) {
    const [existing, customer, states, surveys] = await Promise.all([
      getEvent(db, event.eventId),
      db.client.send(new GetCommand({ TableName: db.table, Key: keys.customer(event.customerId), ConsistentRead: true })),
      readInviteStates(db, [event.customerId]),
      listSurveysCached(db),
    ]);
    if (existing) {
      return existing.bodyHash === bodyHash
        ? { kind: 'duplicate', answer: JSON.parse(String(existing.answer)) as EventAnswer }
        : { kind: 'reused' };
    }
    if (!customer.Item && !event.customer) return { kind: 'unknownCustomer' };

    // A new customer is mailable; an existing one keeps their unsubscribe and suppression through the upsert.
    const facts = { customer: customerFacts(customer.Item) ?? { unsubscribed: false }, state: states.get(event.customerId) };
    const invitations: NewInvitation[] = [];
    const skips: Array<{ invitation: NewInvitation; reason: InvitationSkipReason }> = [];
    for (const survey of surveys) {
      const invite = survey.invite;
      if (!invite?.on.includes(event.type) || !isSampled(survey.surveyId, event.eventId, invite.sampleRate)) continue;
      const sendAtMs = Math.max(eventSendAt(Date.parse(event.occurredAt), invite.delayHours), options.nowMs);
      const invitation: NewInvitation = {
        invitationId: newId(options.nowMs),
        surveyId: survey.surveyId,
        customerId: event.customerId,
        trigger: `event:${event.type}`,
        sendAt: new Date(sendAtMs).toISOString(),
        eventId: event.eventId,
      };
      const problem = await invitationProblem(db, survey, event.customerId, facts, sendAtMs, options.settings);
      if (problem) {
        skips.push({ invitation, reason: problem });
        continue;
      }
      invitations.push(invitation);
      // The event's own invitations count against each other (throttle, one open invitation per survey).
      const latest = [facts.state?.lastInvitedAt, invitation.sendAt].filter((x) => x !== undefined).sort();
      facts.state = {
        lastInvitedAt: latest.at(-1),
        open: { ...facts.state?.open, [survey.surveyId]: invitation.invitationId },
      };
    }

    const answer: EventAnswer = {
      eventId: event.eventId,
      customerId: event.customerId,
      type: event.type,
      occurredAt: event.occurredAt,
      invitations: invitations.map(({ invitationId, surveyId, sendAt }) => ({ invitationId, surveyId, sendAt })),
    };
    const upsert = event.customer ? [{ Update: customerUpdate(db, event.customerId, event.customer, now) }] : [];
    const eventPut = {
      Put: {
        TableName: db.table,
        Item: eventItem(event, { bodyHash, answer, receivedAt: now }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    };
    const scheduling = invitations.length
      ? scheduleWrites(db, event.customerId, invitations, { now, throttleDays: options.settings.throttleDays })
      : [];
    const skipped = skips.map(({ invitation, reason }) => ({ Put: skippedInvitationPut(db, invitation, reason, now) }));
    try {
      await retryTransient(() =>
        db.client.send(new TransactWriteCommand({ TransactItems: [...upsert, eventPut, ...scheduling, ...skipped] })),
      );
      return { kind: 'created', answer };
    } catch (error) {
      if (!isTransactionCanceled(error)) throw error;
      const codes = cancellationCodes(error);
      const eventLost = codes[upsert.length] === 'ConditionalCheckFailed';
      const stateLost = scheduling.length > 0 && codes[upsert.length + scheduling.length] === 'ConditionalCheckFailed';
      // The event exists now (a concurrent duplicate), or another invitation landed: read again and decide again.
      if (!(eventLost || stateLost) || attempt >= ATTEMPTS) throw error;
    }
  }
}

async function getEvent(db: Db, eventId: string): Promise<Item | undefined> {
  const { Item } = await db.client.send(new GetCommand({ TableName: db.table, Key: keys.event(eventId), ConsistentRead: true }));
  return Item;
}

/** An event as the API shows it (its export, its timeline entry): the facts it was reported with, and when. */
export interface CustomerEvent {
  eventId: string;
  customerId: string;
  type: string;
  occurredAt: string;
  properties?: Record<string, string | number | boolean>;
  receivedAt: string;
}

/** A stored event as the API shows it: not the request's hash nor the stored answer, which are for replays. */
export function toEvent(item: Item): CustomerEvent {
  return {
    eventId: String(item.eventId),
    customerId: String(item.customerId),
    type: String(item.eventType),
    occurredAt: String(item.occurredAt),
    ...(item.properties === undefined ? {} : { properties: item.properties as CustomerEvent['properties'] }),
    receivedAt: String(item.receivedAt),
  };
}

/** The event as stored: its facts, on its customer's timeline, with the request's hash and the answer for replays. */
function eventItem(event: EventInput, extra: { bodyHash: string; answer: EventAnswer; receivedAt: string }): Item {
  return {
    ...keys.event(event.eventId),
    type: 'event',
    eventId: event.eventId,
    customerId: event.customerId,
    eventType: event.type,
    occurredAt: event.occurredAt,
    ...(event.properties ? { properties: userKeyedMap(event.properties) } : {}),
    receivedAt: extra.receivedAt,
    bodyHash: extra.bodyHash,
    answer: JSON.stringify(extra.answer),
    ...customerEventsIndex(event.customerId, event.occurredAt, event.eventId),
  };
}
