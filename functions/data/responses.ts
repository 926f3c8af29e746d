import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { QUESTIONS, type Answers } from '#core/questions/index.ts';
import { cancellationCodes, isTransactionCanceled, queryPages, retryTransient, userKeyedMap, type Db } from './db.ts';
import { keys, npsDayIndex, publicFields, surveyResponsesIndex, timelineIndex } from './keys.ts';
import { idempotencyCompletion, type IdempotentResult } from './idempotency.ts';

/** A response: its answers (a field per question type, see core/questions) and the facts around them. */
export interface FeedbackResponse extends Answers {
  responseId: string;
  surveyId: string;
  customerId?: string;
  channel?: string;
  attributes?: Record<string, string>;
  /**
   * The customer's profile attributes (as strings) when the link's first answer was accepted: the response's own
   * `attributes` are laid over them for its segments (core/scores.ts readResponseImage); kept by later submissions.
   * Stored as JSON text (storedProfile): one small string, and an empty profile is still a value.
   */
  scoredProfile?: Record<string, string>;
  /** An anonymous answer's segments, placed when it was accepted (segment-values.ts); never listed. */
  scoredSegments?: Record<string, string>;
  /** The invitation whose link this answers: the scorer marks it answered. */
  invitationId?: string;
  /** When the answers were given: the period they count in. */
  submittedAt: string;
  /** When the service received this version of the answers. */
  receivedAt: string;
  /** When the first version was received. */
  createdAt: string;
}

interface StoredResponse extends FeedbackResponse {
  version: number;
}

/**
 * What a response of this customer is scored by from their profile: its attributes as strings (a number or a boolean
 * is a segment like any value), {} when the customer has none or does not exist. One consistent GetItem.
 */
export async function scoringProfile(db: Db, customerId: string): Promise<Record<string, string>> {
  const { Item } = await db.client.send(
    new GetCommand({
      TableName: db.table,
      Key: keys.customer(customerId),
      ProjectionExpression: 'attributes',
      ConsistentRead: true,
    }),
  );
  return profileStrings(Item?.attributes);
}

/**
 * The snapshot as stored: JSON text, which an empty profile can be (an empty map does not survive every stream
 * reader) and whose names need no care.
 */
export const storedProfile = (profile: Record<string, string>): string => JSON.stringify(profile);

/** A profile's attributes as segment values: strings, numbers and booleans as strings; anything else left out. */
export function profileStrings(attributes: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (typeof attributes !== 'object' || attributes === null) return out;
  const entries = attributes instanceof Map ? [...attributes] : Object.entries(attributes);
  for (const [name, value] of entries) {
    if (['string', 'number', 'boolean'].includes(typeof value)) out[name as string] = String(value);
  }
  return out;
}

export async function getResponse(db: Db, responseId: string): Promise<StoredResponse | undefined> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.response(responseId), ConsistentRead: true }),
  );
  return Item ? ({ ...publicFields(Item), version: Item.version as number } as StoredResponse) : undefined;
}

/**
 * The attributes a response item may lack: a later submission that leaves one out removes it (replace semantics).
 * Not `channel` and `attributes`: a link's later submission keeps them unless it gives them (the contract's Segments).
 */
const OPTIONAL_ATTRIBUTES = [...QUESTIONS, 'customerId', 'scoredSegments', 'gsi2pk', 'gsi2sk', 'gsi3pk', 'gsi3sk'];

/**
 * The single-item update that stores a response over whatever the item held: last writer wins. DynamoDB applies
 * updates of one item one at a time, so concurrent submissions of a link never fail each other; `version` counts
 * every accepted write (ADD), `createdAt` is the first one's. The scorer stays exact because it works from the
 * stream's old and new images of each write, whatever order the writers came in.
 */
function responseUpdate(db: Db, response: FeedbackResponse) {
  const { responseId, surveyId, customerId, submittedAt, nps, createdAt, scoredProfile, ...rest } = response;
  const fields: Record<string, unknown> = {
    type: 'response',
    responseId,
    surveyId,
    customerId,
    submittedAt,
    nps,
    ...rest,
    ...(response.attributes ? { attributes: userKeyedMap(response.attributes) } : {}),
    ...surveyResponsesIndex(surveyId, submittedAt, responseId),
    ...(customerId ? timelineIndex(customerId, submittedAt, responseId) : {}),
    ...(customerId && nps !== undefined ? npsDayIndex(submittedAt, nps, customerId, responseId) : {}),
  };
  const present = Object.entries(fields).filter(([, value]) => value !== undefined);
  const absent = OPTIONAL_ATTRIBUTES.filter((name) => fields[name] === undefined);
  const names: Record<string, string> = { '#createdAt': 'createdAt', '#version': 'version' };
  const values: Record<string, unknown> = { ':createdAt': createdAt, ':one': 1 };
  present.forEach(([name, value], i) => {
    names[`#f${i}`] = name;
    values[`:f${i}`] = value;
  });
  absent.forEach((name, i) => (names[`#r${i}`] = name));
  const set = [...present.map((_, i) => `#f${i} = :f${i}`), '#createdAt = if_not_exists(#createdAt, :createdAt)'];
  if (scoredProfile) {
    // The profile as it was at the first answer: a resubmission keeps the segments it was first counted in.
    names['#scoredProfile'] = 'scoredProfile';
    values[':scoredProfile'] = storedProfile(scoredProfile);
    set.push('#scoredProfile = if_not_exists(#scoredProfile, :scoredProfile)');
  }
  return {
    TableName: db.table,
    Key: keys.response(responseId),
    UpdateExpression:
      `SET ${set.join(', ')}` +
      (absent.length ? ` REMOVE ${absent.map((_, i) => `#r${i}`).join(', ')}` : '') +
      ' ADD #version :one',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** A plain write was refused because a transaction held the item for a moment (the SDK does not retry it). */
export const isWriteConflict = (error: unknown): boolean =>
  error instanceof Error && error.name === 'TransactionConflictException';

/** Stores a response over whatever its item held (last writer wins); `created` when there was nothing before. */
export async function saveResponse(db: Db, response: FeedbackResponse): Promise<{ created: boolean }> {
  const { Attributes } = await retryTransient(
    () => db.client.send(new UpdateCommand({ ...responseUpdate(db, response), ReturnValues: 'UPDATED_OLD' })),
    { isTransient: isWriteConflict },
  );
  return { created: Attributes?.version === undefined };
}

/**
 * Stores a response only if its id is new (an import's rows: running it again changes nothing); false when a
 * response with that id was already there, which is left as it was.
 */
export async function insertResponse(db: Db, response: FeedbackResponse): Promise<boolean> {
  try {
    await retryTransient(
      () =>
        db.client.send(new UpdateCommand({ ...responseUpdate(db, response), ConditionExpression: 'attribute_not_exists(pk)' })),
      { isTransient: isWriteConflict },
    );
    return true;
  } catch (error) {
    if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
    throw error;
  }
}

/**
 * `saved`: written, and the idempotency key completed with the answer in the same transaction.
 * `guessed_wrong`: the response did (`new`) or did not (`existing`) exist after all; the answer (201 or 200) was
 * built on that guess, so the caller builds the other one and writes again.
 * `claim_lost`: the idempotency key is no longer ours (its lease ran out and another request took it over).
 */
export type KeyedSaveOutcome = 'saved' | 'guessed_wrong' | 'claim_lost';

/**
 * Stores a response like saveResponse and completes a claimed idempotency key with its answer, both or neither:
 * a transaction cannot return the item it replaced, so the answer is built on a guess of whether the response
 * exists, and the guess is a condition of the write. Transaction conflicts are thrown for `retryTransient`.
 */
export async function saveResponseCompletingKey(
  db: Db,
  response: FeedbackResponse,
  expected: 'new' | 'existing',
  idempotency: { key: string; owner: string; result: IdempotentResult },
): Promise<KeyedSaveOutcome> {
  const update = {
    ...responseUpdate(db, response),
    ConditionExpression: expected === 'new' ? 'attribute_not_exists(pk)' : 'attribute_exists(pk)',
  };
  try {
    await db.client.send(
      new TransactWriteCommand({
        TransactItems: [
          { Update: update },
          { Update: idempotencyCompletion(db, idempotency.key, idempotency.owner, idempotency.result) },
        ],
      }),
    );
    return 'saved';
  } catch (error) {
    if (!isTransactionCanceled(error)) throw error;
    // Codes follow TransactItems: [0] the response, [1] the idempotency key.
    const codes = cancellationCodes(error);
    if (codes[1] === 'ConditionalCheckFailed') return 'claim_lost';
    if (codes[0] === 'ConditionalCheckFailed') return 'guessed_wrong';
    throw error;
  }
}

/** Whether the customer answered the survey at or after `since` (pages through their timeline, filtered). */
export async function answeredSince(db: Db, customerId: string, surveyId: string, since: string): Promise<boolean> {
  const pages = queryPages(db, {
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk AND gsi2sk >= :since',
    FilterExpression: 'surveyId = :surveyId',
    ExpressionAttributeValues: { ':pk': timelineIndex(customerId, '', '').gsi2pk, ':since': since, ':surveyId': surveyId },
    ProjectionExpression: 'responseId',
  });
  for await (const items of pages) if (items.length > 0) return true;
  return false;
}

export interface Page<T> {
  items: T[];
  /** Opaque; absent on the last page. */
  nextCursor?: string;
}

/** A customer's responses, newest first. */
export async function customerTimeline(
  db: Db,
  customerId: string,
  options: { limit?: number } = {},
): Promise<FeedbackResponse[]> {
  const { Items = [] } = await db.client.send(
    new QueryCommand({
      TableName: db.table,
      IndexName: 'gsi2',
      KeyConditionExpression: 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': timelineIndex(customerId, '', '').gsi2pk },
      ScanIndexForward: false,
      Limit: options.limit ?? 100,
    }),
  );
  return Items.map((item) => publicFields(item) as FeedbackResponse);
}
