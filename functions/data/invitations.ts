import { QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { InvitationSkipReason } from '#core/invitations/rules.ts';
import { batchGet, cancellationCodes, isConditionFailure, type Db, type Item } from './db.ts';
import {
  invitationDueIndex,
  invitationDuePartition,
  invitationIndexes,
  keys,
  openInvitationAttribute,
  publicFields,
  surveyInvitationsPartition,
  customerInvitationsPartition,
} from './keys.ts';

/**
 * Survey invitations: scheduling them under the contact rules (atomically for the throttle and the one open
 * invitation per customer and survey), listing them, the due index the dispatcher reads, and their status changes.
 */

export const INVITATION_STATUSES = ['scheduled', 'sent', 'answered', 'expired', 'skipped', 'failed'] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/** What made an invitation: an event of a type, the survey's cadence, or a person (`POST …/invitations`). */
export type InvitationTrigger = `event:${string}` | 'cadence' | 'manual';

export interface Invitation {
  invitationId: string;
  surveyId: string;
  customerId: string;
  trigger: InvitationTrigger;
  status: InvitationStatus;
  /** When it is (or was) due to be sent. */
  sendAt: string;
  createdAt: string;
  /** The event that made it, for `event:` triggers. */
  eventId?: string;
  sentAt?: string;
  remindedAt?: string;
  answeredAt?: string;
  /** When its link expires (set when it is sent). */
  expiresAt?: string;
  /** Why it was skipped or failed. */
  reason?: string;
}

/** A new invitation, due at `sendAt`. */
export type NewInvitation = Pick<Invitation, 'invitationId' | 'surveyId' | 'customerId' | 'trigger' | 'sendAt' | 'eventId'>;

/** A customer's invite state: their latest invitation instant and their open invitations by survey. */
export interface InviteState {
  lastInvitedAt?: string;
  open: Record<string, string>;
}

const OPEN_PREFIX = openInvitationAttribute('');

export function toInviteState(item: Item | undefined): InviteState {
  const open: Record<string, string> = {};
  for (const [name, value] of Object.entries(item ?? {})) {
    if (name.startsWith(OPEN_PREFIX) && typeof value === 'string') open[name.slice(OPEN_PREFIX.length)] = value;
  }
  return { lastInvitedAt: item?.lastInvitedAt as string | undefined, open };
}

/** The invite states of many customers (consistent: a scheduler decides on them). */
export async function readInviteStates(db: Db, customerIds: readonly string[]): Promise<Map<string, InviteState>> {
  const items = await batchGet(db, customerIds.map(keys.inviteState), { consistent: true });
  const prefix = keys.inviteState('').pk;
  const states = new Map<string, InviteState>();
  for (const item of items) states.set(String(item.pk).slice(prefix.length), toInviteState(item));
  return states;
}

export const invitationItem = (invitation: Invitation): Item => ({
  ...keys.invitation(invitation.invitationId),
  type: 'invitation',
  ...invitation,
  ...invitationIndexes(invitation.surveyId, invitation.customerId, invitation.createdAt, invitation.invitationId),
  ...(invitation.status === 'scheduled' ? invitationDueIndex(invitation.invitationId, invitation.sendAt) : {}),
});

/**
 * The writes that schedule one customer's new invitations: each invitation, and one update of the customer's invite
 * state that fails unless every survey has no open invitation and the throttle holds (`throttle`: the bounds of
 * `throttleBounds`, or none when the throttle is off). Extra items (an event) join the same transaction.
 */
export function scheduleWrites(
  db: Db,
  customerId: string,
  invitations: readonly NewInvitation[],
  options: { now: string; throttle?: { notAfter: string; notBefore: string } },
) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const conditions: string[] = [];
  invitations.forEach((inv, i) => {
    names[`#open${i}`] = openInvitationAttribute(inv.surveyId);
    values[`:inv${i}`] = inv.invitationId;
    sets.push(`#open${i} = :inv${i}`);
    conditions.push(`attribute_not_exists(#open${i})`);
  });
  const latest = invitations
    .map((i) => i.sendAt)
    .sort()
    .at(-1)!;
  values[':latest'] = latest;
  sets.push('lastInvitedAt = :latest');
  if (options.throttle) {
    values[':notAfter'] = options.throttle.notAfter;
    values[':notBefore'] = options.throttle.notBefore;
    conditions.push('(attribute_not_exists(lastInvitedAt) OR lastInvitedAt <= :notAfter OR lastInvitedAt >= :notBefore)');
  }
  return [
    ...invitations.map((inv) => ({
      Put: {
        TableName: db.table,
        Item: invitationItem({ ...inv, status: 'scheduled', createdAt: options.now }),
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    })),
    {
      Update: {
        TableName: db.table,
        Key: keys.inviteState(customerId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  ];
}

/**
 * Schedules one customer's invitations in one transaction. False when the invite state's condition failed (another
 * invitation got there first): the caller reads the facts again and says why.
 */
export async function scheduleInvitations(
  db: Db,
  customerId: string,
  invitations: readonly NewInvitation[],
  options: { now: string; throttle?: { notAfter: string; notBefore: string } },
): Promise<boolean> {
  if (invitations.length === 0) return true;
  try {
    await db.client.send(new TransactWriteCommand({ TransactItems: scheduleWrites(db, customerId, invitations, options) }));
    return true;
  } catch (error) {
    if (cancellationCodes(error).at(-1) === 'ConditionalCheckFailed') return false;
    throw error;
  }
}

export const toInvitation = (item: Item): Invitation => publicFields(item) as unknown as Invitation;

export async function getInvitations(db: Db, invitationIds: readonly string[]): Promise<Invitation[]> {
  return (await batchGet(db, invitationIds.map(keys.invitation), { consistent: true })).map(toInvitation);
}

/** A page of a survey's invitations (or a customer's), newest first; `status` filters. */
export async function listInvitations(
  db: Db,
  of: { surveyId: string } | { customerId: string },
  options: { limit: number; status?: InvitationStatus; after?: string },
): Promise<{ items: Invitation[]; nextCursor?: string }> {
  const [index, partition] =
    'surveyId' in of
      ? (['gsi1', surveyInvitationsPartition(of.surveyId)] as const)
      : (['gsi2', customerInvitationsPartition(of.customerId)] as const);
  const items: Invitation[] = [];
  let start: Item | undefined = options.after ? decodeStart(options.after) : undefined;
  // A status filter may leave a page short: read on until the page is full or the listing ends.
  do {
    const page = await db.client.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: index,
        KeyConditionExpression: `${index}pk = :pk`,
        ExpressionAttributeValues: { ':pk': partition, ...(options.status ? { ':status': options.status } : {}) },
        ...(options.status ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } } : {}),
        ScanIndexForward: false,
        Limit: options.limit - items.length,
        ExclusiveStartKey: start,
      }),
    );
    items.push(...(page.Items ?? []).map(toInvitation));
    start = page.LastEvaluatedKey;
  } while (start && items.length < options.limit);
  return start ? { items, nextCursor: encodeStart(start) } : { items };
}

/** Cursors are the last key read, base64url JSON: checked on the way back in so a forged one cannot reach other data. */
const encodeStart = (key: Item): string => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

export function decodeStart(cursor: string): Item | undefined {
  if (!/^[A-Za-z0-9_-]{1,1000}$/.test(cursor)) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (typeof key !== 'object' || key === null || Array.isArray(key)) return undefined;
    if (!Object.values(key).every((v) => typeof v === 'string' && v.length <= 300)) return undefined;
    return key;
  } catch {
    return undefined;
  }
}

/** Invitations of one due-index shard with an action due at or before `at`, oldest first. */
export async function dueInvitations(db: Db, shard: number, at: string, limit: number): Promise<Invitation[]> {
  const { Items = [] } = await db.client.send(
    new QueryCommand({
      TableName: db.table,
      IndexName: 'gsi3',
      KeyConditionExpression: 'gsi3pk = :pk AND gsi3sk <= :at',
      ExpressionAttributeValues: { ':pk': invitationDuePartition(shard), ':at': `${at}#\uffff` },
      Limit: limit,
    }),
  );
  return Items.map(toInvitation);
}

/**
 * Moves an invitation on from `from` (its status now) if it is still there: sets `changes`, and its next due instant
 * (`dueAt`, or out of the due index). Closing it (answered, expired, skipped, failed) frees the customer's open
 * invitation to the survey. False when the invitation had moved on already (another dispatcher, an answer).
 */
export async function moveInvitation(
  db: Db,
  invitation: Pick<Invitation, 'invitationId' | 'surveyId' | 'customerId'>,
  from: InvitationStatus,
  changes: Partial<Pick<Invitation, 'status' | 'sentAt' | 'remindedAt' | 'answeredAt' | 'expiresAt' | 'reason' | 'sendAt'>>,
  dueAt: string | null,
): Promise<boolean> {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':from': from };
  const sets: string[] = [];
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  if (dueAt) {
    const due = invitationDueIndex(invitation.invitationId, dueAt);
    Object.assign(values, { ':gsi3pk': due.gsi3pk, ':gsi3sk': due.gsi3sk });
    sets.push('gsi3pk = :gsi3pk', 'gsi3sk = :gsi3sk');
  }
  const expression = `SET ${sets.join(', ')}${dueAt ? '' : ' REMOVE gsi3pk, gsi3sk'}`;
  const closes = changes.status !== undefined && !['scheduled', 'sent'].includes(changes.status);
  const invitationUpdate = {
    TableName: db.table,
    Key: keys.invitation(invitation.invitationId),
    UpdateExpression: expression,
    ConditionExpression: '#status = :from',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
  const write = async (withState: boolean) => {
    if (!withState) return void (await db.client.send(new UpdateCommand(invitationUpdate)));
    await db.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: invitationUpdate },
          {
            Update: {
              TableName: db.table,
              Key: keys.inviteState(invitation.customerId),
              UpdateExpression: 'REMOVE #open',
              ConditionExpression: 'attribute_not_exists(#open) OR #open = :invitationId',
              ExpressionAttributeNames: { '#open': openInvitationAttribute(invitation.surveyId) },
              ExpressionAttributeValues: { ':invitationId': invitation.invitationId },
            },
          },
        ],
      }),
    );
  };
  try {
    await write(closes);
    return true;
  } catch (error) {
    // The survey's open slot names another invitation (it cannot, but if it ever did): close this one alone.
    if (closes && cancellationCodes(error)[1] === 'ConditionalCheckFailed' && cancellationCodes(error)[0] === 'None') {
      return moveInvitationAlone();
    }
    if (isConditionFailure(error)) return false;
    throw error;
  }

  async function moveInvitationAlone() {
    try {
      await write(false);
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
  }
}

export type { InvitationSkipReason };
