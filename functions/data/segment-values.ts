import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ANONYMOUS_SEGMENT_LIMIT, OTHER_SEGMENT, placeAnonymous } from '#core/scores.ts';
import { isConditionFailure, type Db } from './db.ts';
import { keys } from './keys.ts';

/**
 * The values anonymous answers have made segments of: one item per survey, a string set per dimension (the
 * attribute is named after it), that only grows and never past ANONYMOUS_SEGMENT_LIMIT (a conditional add).
 *
 * A container keeps what it has read, without expiry: of a set that only grows, a value read as known stays
 * known and a set read as full stays full, so a known value or a full dimension costs no round trip; only a
 * value not yet known here costs one conditional write (and, when the set turns out full, one read).
 */
const remembered = new Map<string, Map<string, ReadonlySet<string>>>();
/** Surveys are the team's own, few; the bound only keeps a container's memory flat whatever happens. */
const REMEMBERED_SURVEYS = 1_000;

function remember(surveyId: string, item: Record<string, unknown> | undefined): Map<string, ReadonlySet<string>> {
  const sets = remembered.get(surveyId) ?? new Map<string, ReadonlySet<string>>();
  for (const [name, value] of Object.entries(item ?? {})) if (value instanceof Set) sets.set(name, value as Set<string>);
  if (!remembered.has(surveyId) && remembered.size >= REMEMBERED_SURVEYS) remembered.delete(remembered.keys().next().value!);
  remembered.set(surveyId, sets);
  return sets;
}

async function read(db: Db, surveyId: string, consistent: boolean) {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.segmentValues(surveyId), ConsistentRead: consistent }),
  );
  return remember(surveyId, Item);
}

/** Adds a value to its dimension's set unless the set is full; true when the value is (now) in the set. */
async function register(db: Db, surveyId: string, dimension: string, value: string): Promise<boolean> {
  try {
    const { Attributes } = await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.segmentValues(surveyId),
        UpdateExpression: 'SET #type = :type ADD #values :value',
        ConditionExpression: 'attribute_not_exists(#values) OR size(#values) < :limit OR contains(#values, :one)',
        ExpressionAttributeNames: { '#type': 'type', '#values': dimension },
        ExpressionAttributeValues: {
          ':type': 'segment-values',
          ':value': new Set([value]),
          ':one': value,
          ':limit': ANONYMOUS_SEGMENT_LIMIT,
        },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    remember(surveyId, Attributes);
    return true;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    await read(db, surveyId, true); // full: learn every value that filled it, here and for good
    return false;
  }
}

/**
 * Where an anonymous answer counts, per dimension (see placeAnonymous): its own value while the dimension has room
 * or already knows it, OTHER_SEGMENT beyond ANONYMOUS_SEGMENT_LIMIT. Stored on the response as `scoredSegments`.
 */
export async function placeAnonymousSegments(
  db: Db,
  surveyId: string,
  values: ReadonlyArray<readonly [dimension: string, value: string]>,
): Promise<Record<string, string>> {
  const placed: Record<string, string> = {};
  if (values.length === 0) return placed;
  const known = () => remembered.get(surveyId);
  if (!known()) await read(db, surveyId, false); // eventually consistent is enough: a stale set only costs a write
  for (const [dimension, value] of values) {
    let place = placeAnonymous(known()?.get(dimension), value);
    if (place === 'register')
      place = (await register(db, surveyId, dimension, value)) ? { segment: value } : { segment: OTHER_SEGMENT };
    placed[dimension] = place.segment;
  }
  return placed;
}
