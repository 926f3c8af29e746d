import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import {
  bucketId,
  changeContributions,
  InvalidResponseImage,
  mergeContributions,
  readResponseImage,
  type Contribution,
  type Counts,
} from '#core/scores.ts';
import { InvalidInvitationImage, invitationContributions, readInvitationImage } from '#core/invitations/response-rate.ts';
import { isConditionFailure, queryPages, scanPages, type Db, type TableKey } from './db.ts';
import { keys } from './keys.ts';
import { scoringProfile, storedProfile } from './responses.ts';
import { toScoreDay } from './scores.ts';

/**
 * The admin side of the aggregates: recount them from the responses and invitations (a scan: an admin tool, never the API),
 * compare with what the scorer keeps, and rewrite them. Used by `npm run scores -- verify|rebuild` and the tests.
 */

export interface Progress {
  (event: { phase: 'responses' | 'aggregates' | 'rebuild'; done: number }): void;
}

export interface Recount {
  buckets: Map<string, Contribution>;
  responses: number;
  /** Response and invitation items that cannot be scored (the scorer sent their records to the DLQ). */
  unscorable: number;
  /** Invitation items read (sent or not). */
  invitations: number;
  /**
   * Responses naming a customer but without the profile snapshot (`scoredProfile`, from before responses carried
   * one): counted by their own attributes only, as the scorer counted them, until `backfill` gives them one.
   */
  withoutProfile: number;
  /** Responses `backfill` gave their customer's current profile (as the snapshot they lacked). */
  backfilled: number;
}

/**
 * Recounts the aggregates from the response and invitation items. With `backfill` (rebuild), a response naming a
 * customer without the profile snapshot first gets the customer's current profile as its snapshot (the nearest to
 * "as it was when accepted" left to know), and is counted with it; the scorer moves nothing for that write
 * (isProfileBackfill): the rebuild's rewrite does.
 */
export async function recountScores(
  db: Db,
  options: { surveyIds?: readonly string[]; progress?: Progress; backfill?: boolean } = {},
): Promise<Recount> {
  const only = options.surveyIds ?? [];
  const surveyValues = Object.fromEntries(only.map((id, i) => [`:s${i}`, id]));
  const segments = new Map<string, readonly string[]>();
  const items: Record<string, unknown>[] = [];
  const pages = scanPages(db, {
    FilterExpression: only.length
      ? `#type IN (:response, :invitation) AND surveyId IN (${Object.keys(surveyValues).join(', ')})`
      : '#type IN (:response, :invitation)',
    ExpressionAttributeNames: { '#type': 'type' },
    ExpressionAttributeValues: { ':response': 'response', ':invitation': 'invitation', ...surveyValues },
    ConsistentRead: true,
  });
  for await (const page of pages) {
    items.push(...page);
    options.progress?.({ phase: 'responses', done: items.length });
  }

  const buckets = new Map<string, Contribution>();
  let unscorable = 0;
  let invitations = 0;
  let unscorableResponses = 0;
  let withoutProfile = 0;
  let backfilled = 0;
  let gone = 0;
  const profiles = new Map<string, Record<string, string>>();
  for (let item of items) {
    if (item.type === 'response' && typeof item.customerId === 'string' && item.scoredProfile === undefined) {
      if (!options.backfill) withoutProfile++;
      else {
        const customerId = item.customerId;
        if (!profiles.has(customerId)) profiles.set(customerId, await scoringProfile(db, customerId));
        const now = await backfillProfile(db, item, profiles.get(customerId)!);
        if (!now) {
          gone++;
          continue;
        }
        item = now;
        backfilled++;
      }
    }
    if (item.type === 'invitation') {
      invitations++;
      try {
        mergeContributions(buckets, invitationContributions(undefined, readInvitationImage(item)));
      } catch (error) {
        if (!(error instanceof InvalidInvitationImage)) throw error;
        unscorable++;
      }
      continue;
    }
    let response;
    try {
      response = readResponseImage(item);
    } catch (error) {
      if (!(error instanceof InvalidResponseImage)) throw error;
      unscorable++;
      unscorableResponses++;
      continue;
    }
    if (!segments.has(response.surveyId)) {
      const { Item } = await db.client.send(new GetCommand({ TableName: db.table, Key: keys.survey(response.surveyId) }));
      segments.set(response.surveyId, (Item?.segmentBy as string[] | undefined) ?? []);
    }
    mergeContributions(
      buckets,
      changeContributions(undefined, response, (id) => segments.get(id) ?? []),
    );
  }
  return {
    buckets,
    responses: items.length - invitations - unscorableResponses - gone,
    unscorable,
    invitations,
    withoutProfile,
    backfilled,
  };
}

/** Gives a response the snapshot it lacks (not moving `version`); returns the item as it now is, if it still is. */
async function backfillProfile(db: Db, item: Record<string, unknown>, profile: Record<string, string>) {
  const key = { pk: String(item.pk), sk: String(item.sk) };
  try {
    const { Attributes } = await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: key,
        UpdateExpression: 'SET scoredProfile = :profile',
        ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(scoredProfile)',
        ExpressionAttributeValues: { ':profile': storedProfile(profile) },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return Attributes;
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
    // Resubmitted (it has its own snapshot now) or erased since the scan: count it as it is.
    const { Item } = await db.client.send(new GetCommand({ TableName: db.table, Key: key, ConsistentRead: true }));
    return Item;
  }
}

export interface StoredAggregates {
  /** The aggregates the scorer keeps, by bucketId. */
  current: Map<string, Contribution>;
  /** Score items under an earlier key layout: the scorer and the API no longer read them; rebuild deletes them. */
  stale: TableKey[];
}

/** The aggregates the scorer keeps, of one survey (a query) or of all (a scan), and any left in an earlier layout. */
export async function storedAggregates(
  db: Db,
  options: { surveyId?: string; progress?: Progress } = {},
): Promise<StoredAggregates> {
  const current = new Map<string, Contribution>();
  const stale: TableKey[] = [];
  const pages = options.surveyId
    ? queryPages(db, {
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': keys.scores(options.surveyId).pk },
        ConsistentRead: true,
      })
    : scanPages(db, {
        FilterExpression: '#type = :scoreDay',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ':scoreDay': 'score-day' },
        ConsistentRead: true,
      });
  for await (const page of pages) {
    for (const item of page) {
      const { counts, ...key } = toScoreDay(item);
      if (item.sk !== keys.scoreDay(key.surveyId, key.day, key.dimension, key.segment).sk) {
        stale.push({ pk: item.pk as string, sk: item.sk as string });
      } else if (Object.keys(counts).length > 0) current.set(bucketId(key), { key, counts });
    }
    options.progress?.({ phase: 'aggregates', done: current.size + stale.length });
  }
  return { current, stale };
}

/** The aggregates the scorer keeps (see storedAggregates). */
export async function storedScores(
  db: Db,
  options: { surveyId?: string; progress?: Progress } = {},
): Promise<Map<string, Contribution>> {
  return (await storedAggregates(db, options)).current;
}

export interface Difference {
  key: Contribution['key'];
  expected: Counts;
  actual: Counts;
}

const sameCounts = (a: Counts, b: Counts) => {
  const names = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...names].every((n) => (a[n] ?? 0) === (b[n] ?? 0));
};

export function differences(expected: Map<string, Contribution>, actual: Map<string, Contribution>): Difference[] {
  const out: Difference[] = [];
  for (const id of new Set([...expected.keys(), ...actual.keys()])) {
    const e = expected.get(id);
    const a = actual.get(id);
    if (!sameCounts(e?.counts ?? {}, a?.counts ?? {}))
      out.push({ key: (e ?? a)!.key, expected: e?.counts ?? {}, actual: a?.counts ?? {} });
  }
  return out;
}

/**
 * Rewrites the differing aggregates to the recount (emptied ones are deleted), then deletes the items left in an
 * earlier key layout: after a layout change, the differences are every aggregate, so the new items are complete
 * before the old ones go. Pause the scorer while it runs.
 */
export async function rewriteScores(
  db: Db,
  diffs: readonly Difference[],
  progress?: Progress,
  stale: readonly TableKey[] = [],
): Promise<void> {
  let done = 0;
  for (const { key, expected } of diffs) {
    const itemKey = keys.scoreDay(key.surveyId, key.day, key.dimension, key.segment);
    if (Object.keys(expected).length === 0) {
      await db.client.send(new DeleteCommand({ TableName: db.table, Key: itemKey }));
    } else {
      await db.client.send(new PutCommand({ TableName: db.table, Item: { ...itemKey, type: 'score-day', ...key, ...expected } }));
    }
    progress?.({ phase: 'rebuild', done: ++done });
  }
  for (const key of stale) {
    await db.client.send(new DeleteCommand({ TableName: db.table, Key: key }));
    progress?.({ phase: 'rebuild', done: ++done });
  }
}
