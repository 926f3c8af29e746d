import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { CampaignId } from '#core/campaigns/registry.ts';
import type { CampaignRun, RunSettlement, SelectionCursor } from '#core/campaigns/store.ts';
import { SKIP_REASONS, type MailCounts } from '#core/mail/policy.ts';
import { isConditionFailure, queryAll, type Db } from './db.ts';
import { keys, pausedRunIndex, pausedRunsDueBy } from './keys.ts';

/** Campaign run records: one item per run under its campaign, leased by one invocation at a time. */

const RUN_TTL_SECONDS = 90 * 24 * 3600;

/** What a run item holds beside the run: keys, the paused-runs index entry, TTL and the lease. */
const BOOKKEEPING = new Set(['pk', 'sk', 'type', 'ttl', 'leaseOwner', 'leaseUntil', 'gsi1pk', 'gsi1sk']);

const fromItem = (item: Record<string, unknown>): CampaignRun =>
  Object.fromEntries(Object.entries(item).filter(([name]) => !BOOKKEEPING.has(name))) as unknown as CampaignRun;

export async function createRun(db: Db, run: CampaignRun): Promise<void> {
  await db.client.send(
    new PutCommand({
      TableName: db.table,
      Item: {
        ...keys.campaignRun(run.campaignId, run.runId),
        type: 'campaignRun',
        ...run,
        ttl: Math.floor(Date.parse(run.createdAt) / 1000) + RUN_TTL_SECONDS,
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
}

export async function getRun(db: Db, campaignId: CampaignId, runId: string): Promise<CampaignRun | undefined> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.campaignRun(campaignId, runId), ConsistentRead: true }),
  );
  return Item ? fromItem(Item) : undefined;
}

/**
 * Takes a run for one invocation: a running run whose lease is free or expired, or a paused run whose pause is
 * over. Two invocations of one run (a retried async invoke, a duplicate schedule) never work on it at once.
 */
export async function leaseRun(
  db: Db,
  campaignId: CampaignId,
  runId: string,
  owner: string,
  nowMs: number,
  leaseMs: number,
): Promise<CampaignRun | undefined> {
  try {
    const { Attributes } = await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.campaignRun(campaignId, runId),
        UpdateExpression:
          'SET leaseOwner = :owner, leaseUntil = :until, #status = :running, updatedAt = :nowIso ' +
          'REMOVE resumeAfter, pauseReason, gsi1pk, gsi1sk',
        ConditionExpression:
          'attribute_exists(pk) AND ((#status = :running AND (attribute_not_exists(leaseUntil) OR leaseUntil < :now)) OR ' +
          '(#status = :paused AND resumeAfter <= :now))',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':owner': owner,
          ':until': nowMs + leaseMs,
          ':running': 'running',
          ':paused': 'paused',
          ':now': nowMs,
          ':nowIso': new Date(nowMs).toISOString(),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return fromItem(Attributes!);
  } catch (error) {
    if (isConditionFailure(error)) return undefined;
    throw error;
  }
}

/**
 * Adds one page's counts and moves the cursor, if this invocation still holds the lease and nobody committed
 * this page before: counts stay exact whatever is retried. The caller moves its copy of the run on.
 */
export async function commitPage(
  db: Db,
  run: CampaignRun,
  owner: string,
  counts: MailCounts,
  next: SelectionCursor | undefined,
  nowMs: number,
): Promise<void> {
  const names: Record<string, string> = { '#skipped': 'skipped' };
  const values: Record<string, unknown> = {
    ':owner': owner,
    ':pages': run.pages,
    ':one': 1,
    ':selected': counts.selected,
    ':sent': counts.sent,
    ':failed': counts.failed,
    ':now': new Date(nowMs).toISOString(),
  };
  const set = [
    'selected = selected + :selected',
    'sent = sent + :sent',
    'failed = failed + :failed',
    'pages = pages + :one',
    'updatedAt = :now',
  ];
  for (const reason of SKIP_REASONS) {
    names[`#${reason}`] = reason;
    values[`:${reason}`] = counts.skipped[reason];
    set.push(`#skipped.#${reason} = #skipped.#${reason} + :${reason}`);
  }
  if (next) {
    set.push('#cursor = :cursor');
    values[':cursor'] = next;
  }
  await db.client.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.campaignRun(run.campaignId, run.runId),
      UpdateExpression: `SET ${set.join(', ')}${next ? '' : ' REMOVE #cursor'}`,
      ConditionExpression: 'leaseOwner = :owner AND pages = :pages',
      ExpressionAttributeNames: { ...names, '#cursor': 'cursor' },
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * Ends this invocation's work on a run: done, paused until a time, or handed on (lease released). A paused run goes
 * into the paused-runs index until a lease takes it out again.
 */
export async function settleRun(db: Db, run: CampaignRun, owner: string, how: RunSettlement, nowMs: number): Promise<void> {
  const now = new Date(nowMs).toISOString();
  const values: Record<string, unknown> = { ':owner': owner, ':status': how.status, ':now': now };
  let update = 'SET #status = :status, updatedAt = :now';
  if (how.status === 'done') update += ', finishedAt = :now';
  if (how.status === 'paused') {
    const index = pausedRunIndex(how.resumeAfter, run.campaignId, run.runId);
    update += ', resumeAfter = :resumeAfter, pauseReason = :reason, gsi1pk = :gsi1pk, gsi1sk = :gsi1sk';
    Object.assign(values, {
      ':resumeAfter': how.resumeAfter,
      ':reason': how.reason,
      ':gsi1pk': index.gsi1pk,
      ':gsi1sk': index.gsi1sk,
    });
  }
  await db.client.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.campaignRun(run.campaignId, run.runId),
      UpdateExpression: `${update} REMOVE leaseOwner, leaseUntil`,
      ConditionExpression: 'leaseOwner = :owner',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    }),
  );
}

/** A campaign's runs that are not done (paused, or running with a lost invocation): a schedule picks them up. */
export async function unfinishedRuns(db: Db, campaignId: CampaignId): Promise<CampaignRun[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :run)',
    FilterExpression: '#status <> :done',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':pk': keys.campaignRun(campaignId, '').pk,
      ':run': keys.campaignRun(campaignId, '').sk,
      ':done': 'done',
    },
  });
  return items.map(fromItem);
}

/**
 * Paused runs of every campaign whose pause is over at `nowMs`, from the paused-runs index (a run is in it only while
 * paused: no scan, and idle sweeps read nothing). The index is eventually consistent: a run just taken may still show.
 */
export async function pausedRunsDue(db: Db, nowMs: number): Promise<CampaignRun[]> {
  const due = pausedRunsDueBy(nowMs);
  const items = await queryAll(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk AND gsi1sk <= :to',
    ExpressionAttributeValues: { ':pk': due.gsi1pk, ':to': due.gsi1skTo },
  });
  return items.map(fromItem);
}
