import { PutCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { encodeCursor, decodeCursor } from '#core/cursors.ts';
import {
  INVITATION_STATUSES,
  throttleBounds,
  type InvitationSkipReason,
  type InvitationStatus,
} from '#core/invitations/rules.ts';
import { batchGet, isConditionFailure, retryTransient, type Db, type Item } from './db.ts';
import { groupCommit } from './group-commit.ts';
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

export { INVITATION_STATUSES, type InvitationStatus };

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

/** How scheduling checks the throttle: `surveyThrottleDays` (0: off). */
export interface ScheduleOptions {
  now: string;
  throttleDays: number;
}

/**
 * The writes that schedule one customer's new invitations: each invitation, and one update of the customer's invite
 * state that fails unless every survey has no open invitation and the throttle holds for each invitation (the
 * stored latest instant lies outside `throttleBounds` of every new one). Extra items (an event) join the same
 * transaction.
 */
export function scheduleWrites(db: Db, customerId: string, invitations: readonly NewInvitation[], options: ScheduleOptions) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const conditions: string[] = [];
  invitations.forEach((inv, i) => {
    names[`#open${i}`] = openInvitationAttribute(inv.surveyId);
    values[`:inv${i}`] = inv.invitationId;
    sets.push(`#open${i} = :inv${i}`);
    conditions.push(`attribute_not_exists(#open${i})`);
    if (options.throttleDays > 0) {
      const bounds = throttleBounds(Date.parse(inv.sendAt), options.throttleDays);
      values[`:notAfter${i}`] = bounds.notAfter;
      values[`:notBefore${i}`] = bounds.notBefore;
      conditions.push(
        `(attribute_not_exists(lastInvitedAt) OR lastInvitedAt <= :notAfter${i} OR lastInvitedAt >= :notBefore${i})`,
      );
    }
  });
  const latest = invitations
    .map((i) => i.sendAt)
    .sort()
    .at(-1)!;
  values[':latest'] = latest;
  sets.push('lastInvitedAt = :latest');
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
 * Schedules one customer's invitations in one transaction (retried on conflicts). False when a condition failed:
 * another invitation got there first, or (with a derived id) this invitation exists already. The caller reads the
 * facts again and says why.
 */
export async function scheduleInvitations(
  db: Db,
  customerId: string,
  invitations: readonly NewInvitation[],
  options: ScheduleOptions,
): Promise<boolean> {
  if (invitations.length === 0) return true;
  try {
    await retryTransient(() =>
      db.client.send(new TransactWriteCommand({ TransactItems: scheduleWrites(db, customerId, invitations, options) })),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/**
 * Records an invitation the contact rules skipped (status `skipped`, its reason): never due, never open. False when
 * an item with its id exists (a derived id: that customer was settled already).
 */
export function skippedInvitationPut(db: Db, invitation: NewInvitation, reason: InvitationSkipReason, now: string) {
  return {
    TableName: db.table,
    Item: invitationItem({ ...invitation, status: 'skipped', reason, createdAt: now }),
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

export async function recordSkippedInvitation(
  db: Db,
  invitation: NewInvitation,
  reason: InvitationSkipReason,
  now: string,
): Promise<boolean> {
  try {
    await db.client.send(new PutCommand(skippedInvitationPut(db, invitation, reason, now)));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

export const toInvitation = (item: Item): Invitation => publicFields(item) as unknown as Invitation;

export async function getInvitations(db: Db, invitationIds: readonly string[]): Promise<Invitation[]> {
  return (await batchGet(db, invitationIds.map(keys.invitation), { consistent: true })).map(toInvitation);
}

/** Pages one listing request reads at most when a status filter leaves them short, before it hands back a cursor. */
const MAX_FILTERED_READS = 10;

type Listing = { surveyId: string } | { customerId: string };

const listingIndex = (of: Listing) =>
  'surveyId' in of
    ? ({ index: 'gsi1', partition: surveyInvitationsPartition(of.surveyId) } as const)
    : ({ index: 'gsi2', partition: customerInvitationsPartition(of.customerId) } as const);

/**
 * A page of a survey's invitations (or a customer's), newest first; `status` filters. `after` must have passed
 * `invitationCursor` for the same listing.
 */
export async function listInvitations(
  db: Db,
  of: Listing,
  options: { limit: number; status?: InvitationStatus; after?: Item },
): Promise<{ items: Invitation[]; nextCursor?: string }> {
  const { index, partition } = listingIndex(of);
  const items: Invitation[] = [];
  let start: Item | undefined = options.after;
  // A status filter may leave a page short: read on until the page is full, the listing ends or enough was read.
  for (let read = 0; read < MAX_FILTERED_READS; read++) {
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
    if (!start || items.length >= options.limit) break;
  }
  return start ? { items, nextCursor: encodeCursor(start) } : { items };
}

/** Cursors are the last key read, base64url JSON: checked on the way back in so a forged one cannot reach other data. */

/**
 * The start key a cursor names, if it is one of this listing's: exactly an invitation's table and index keys, in
 * this listing's partition (DynamoDB answers a foreign key with an error, a 500 to the client); else undefined.
 */
export function invitationCursor(cursor: string, of: Listing): Item | undefined {
  const key = decodeCursor(cursor, 1000);
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return undefined;
  const { index, partition } = listingIndex(of);
  const fields = key as Record<string, unknown>;
  const names = Object.keys(fields).sort();
  if (names.join() !== ['pk', 'sk', `${index}pk`, `${index}sk`].sort().join()) return undefined;
  if (!Object.values(fields).every((v) => typeof v === 'string' && v.length <= 300)) return undefined;
  const id = String(fields.pk).slice(keys.invitation('').pk.length);
  const valid =
    fields.pk === keys.invitation(id).pk &&
    fields.sk === keys.invitation(id).sk &&
    fields[`${index}pk`] === partition &&
    /^[0-9A-Z]{26}$/.test(id) &&
    String(fields[`${index}sk`]).endsWith(`#${id}`);
  return valid ? fields : undefined;
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
  const commit = groupCommit(db);
  if (!closes) return commit([{ Update: invitationUpdate }]);
  const freeOpenSlot = {
    Update: {
      TableName: db.table,
      Key: keys.inviteState(invitation.customerId),
      UpdateExpression: 'REMOVE #open',
      ConditionExpression: 'attribute_not_exists(#open) OR #open = :invitationId',
      ExpressionAttributeNames: { '#open': openInvitationAttribute(invitation.surveyId) },
      ExpressionAttributeValues: { ':invitationId': invitation.invitationId },
    },
  };
  if (await commit([{ Update: invitationUpdate }, freeOpenSlot])) return true;
  // Lost: the invitation moved on, or (it cannot, but if it ever did) the survey's open slot names another
  // invitation. The invitation alone says which: closed now, or moved on.
  return commit([{ Update: invitationUpdate }]);
}

/**
 * An answer through the invitation's link closes it, once. The link is only in the invitation's email, so the email
 * had gone out by then, whatever the invitation says: `sent`, or still `scheduled` (the dispatch that sent it died
 * before moving it on), or `failed` (that dispatch died after its claim, and its outcome was unknown). In those two
 * cases the answer's instant is the latest `sentAt` can be. Tried in the order statuses move (a dispatch may move it
 * from `scheduled` meanwhile), so no answer is missed. False when it is answered already, or expired.
 */
export async function markInvitationAnswered(
  db: Db,
  answer: Pick<Invitation, 'invitationId' | 'surveyId' | 'customerId'> & { answeredAt: string },
): Promise<boolean> {
  const answered = { status: 'answered', answeredAt: answer.answeredAt } as const;
  const sentBy = { ...answered, sentAt: answer.answeredAt };
  return (
    (await moveInvitation(db, answer, 'sent', answered, null)) ||
    (await moveInvitation(db, answer, 'scheduled', sentBy, null)) ||
    (await moveInvitation(db, answer, 'sent', answered, null)) ||
    (await moveInvitation(db, answer, 'failed', sentBy, null))
  );
}

export type { InvitationSkipReason };
