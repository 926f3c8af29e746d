import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Db } from './db.ts';
import { keys, publicFields, surveyResponsesIndex } from './keys.ts';
import type { FeedbackResponse, Page } from './responses.ts';

/** A response id: 26 Crockford base32 characters (time-ordered ids and link-derived ids alike). */
const RESPONSE_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/**
 * The cursor is the last item's place in the survey listing (gsi1 sort key), base64url-encoded: opaque to clients,
 * and rebuilt into a key here, so a forged cursor can only point inside the survey it is used with.
 */
function encodeCursor(gsi1sk: string): string {
  return Buffer.from(gsi1sk, 'utf8').toString('base64url');
}

/** A stored submittedAt: always the canonical `Date#toISOString` form (see checkSubmittedAt), so a cursor's is too. */
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export type ListingPosition = { submittedAt: string; responseId: string };

/**
 * Returns the place a cursor names, or undefined when it is not one of ours. Strict on purpose: DynamoDB rejects
 * (with a 500 to the client) a start key that is not a well-formed position, so anything that did not come from
 * encodeCursor (non-canonical base64, a loose date such as "1", a malformed id) is refused here instead.
 */
export function decodeCursor(cursor: string): ListingPosition | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (encodeCursor(text) !== cursor) return undefined;
  const at = text.indexOf('#');
  if (at < 0) return undefined;
  const submittedAt = text.slice(0, at);
  const responseId = text.slice(at + 1);
  if (!RESPONSE_ID.test(responseId) || !ISO_INSTANT.test(submittedAt)) return undefined;
  const ms = Date.parse(submittedAt);
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== submittedAt) return undefined;
  return { submittedAt, responseId };
}

/**
 * Whether a position lies within the listing of [from, to] (UTC days, both optional). A start key outside the
 * query's range makes DynamoDB throw ("starting key does not match the range key predicate"), which happens when
 * a client reuses a nextCursor after changing from/to: callers must check this and answer 400.
 */
export function positionWithin(position: ListingPosition, range: { from?: string; to?: string }): boolean {
  const day = position.submittedAt.slice(0, 10);
  return (range.from === undefined || day >= range.from) && (range.to === undefined || day <= range.to);
}

/** A survey's responses submitted in [from, to] (UTC days, both optional), newest first, a page at a time. */
export async function listSurveyResponses(
  db: Db,
  surveyId: string,
  options: { from?: string; to?: string; limit: number; after?: ListingPosition },
): Promise<Page<FeedbackResponse>> {
  const { gsi1pk } = surveyResponsesIndex(surveyId, '', '');
  const low = options.from ?? '0000';
  const high = `${options.to ?? '9999'}\uffff`;
  const start = options.after && {
    ...keys.response(options.after.responseId),
    ...surveyResponsesIndex(surveyId, options.after.submittedAt, options.after.responseId),
  };
  const { Items = [], LastEvaluatedKey } = await db.client.send(
    new QueryCommand({
      TableName: db.table,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk BETWEEN :low AND :high',
      ExpressionAttributeValues: { ':pk': gsi1pk, ':low': low, ':high': high },
      ScanIndexForward: false,
      Limit: options.limit,
      ExclusiveStartKey: start,
    }),
  );
  const items = Items.map((item) => publicFields(item) as FeedbackResponse);
  return LastEvaluatedKey ? { items, nextCursor: encodeCursor(String(LastEvaluatedKey.gsi1sk)) } : { items };
}
