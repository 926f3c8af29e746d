import { BatchGetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type NativeAttributeValue, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { claimWindows, type CampaignId, type IndexQuery, type LedgerEntry, type MailState } from '#core/campaigns.ts';
import { isConditionFailure, type Db } from './db.ts';
import { keys, LAST_RESPONSE_SHARDS, lastResponseIndex, npsDayIndex } from './keys.ts';

/** What the campaigns read of a customer. */
export interface Recipient {
  customerId: string;
  email: string;
  name?: string;
  locale?: string;
  timezone?: string;
  birthday?: string;
  unsubscribed: boolean;
  suppressed?: boolean;
  lastResponseAt?: string;
}

/** An answer that selected a customer (promoter-thanks, detractor-followup). */
export interface SelectingAnswer {
  responseId: string;
  nps: number;
  comment?: string;
}

/** A selection index item: the customer (birthday, win-back indexes hold customer items) or their answer. */
export type SelectionItem = { customerId: string; customer?: Recipient; answer?: SelectingAnswer };

/** One index partition a selection reads, in order; a campaign's cursor walks them one after another. */
interface Partition {
  index: 'gsi1' | 'gsi2' | 'gsi3';
  pk: string;
  /** Only sort keys below this. */
  skBefore?: string;
}

export function partitionsOf(queries: readonly IndexQuery[]): Partition[] {
  return queries.flatMap((q): Partition[] => {
    switch (q.index) {
      case 'npsDay':
        return [{ index: 'gsi3', pk: npsDayIndex(`${q.day}T00:00:00Z`, q.npsClass === 'promoter' ? 10 : 0, '', '').gsi3pk }];
      case 'birthday':
        return [{ index: 'gsi1', pk: `BIRTHDAY#${q.monthDay}` }];
      case 'lastResponse':
        return Array.from({ length: LAST_RESPONSE_SHARDS }, (_, shard) => ({
          index: 'gsi2' as const,
          pk: `LASTRESPONSE#${shard}`,
          skBefore: q.before,
        }));
    }
  });
}

/** Where a selection stands: the partition and the last key read in it. */
export interface SelectionCursor {
  partition: number;
  after?: Record<string, NativeAttributeValue>;
}

const asRecipient = (item: Record<string, unknown>): Recipient => ({
  customerId: String(item.customerId),
  email: String(item.email),
  name: item.name as string | undefined,
  locale: item.locale as string | undefined,
  timezone: item.timezone as string | undefined,
  birthday: item.birthday as string | undefined,
  unsubscribed: item.unsubscribed === true,
  suppressed: item.suppressed === true,
  lastResponseAt: item.lastResponseAt as string | undefined,
});

/**
 * Reads up to `limit` selection items from where the cursor stands; `next` is undefined once every partition is
 * read. Queries only: the indexes are made for these selections, nothing is scanned.
 */
export async function readSelectionPage(
  db: Db,
  partitions: readonly Partition[],
  cursor: SelectionCursor,
  limit: number,
): Promise<{ items: SelectionItem[]; next?: SelectionCursor }> {
  let { partition, after } = cursor;
  const items: SelectionItem[] = [];
  while (partition < partitions.length && items.length < limit) {
    const p = partitions[partition]!;
    const { Items = [], LastEvaluatedKey } = await db.client.send(
      new QueryCommand({
        TableName: db.table,
        IndexName: p.index,
        KeyConditionExpression: p.skBefore ? '#pk = :pk AND #sk < :before' : '#pk = :pk',
        ExpressionAttributeNames: { '#pk': `${p.index}pk`, ...(p.skBefore ? { '#sk': `${p.index}sk` } : {}) },
        ExpressionAttributeValues: { ':pk': p.pk, ...(p.skBefore ? { ':before': p.skBefore } : {}) },
        ExclusiveStartKey: after,
        Limit: limit - items.length,
      }),
    );
    for (const item of Items) {
      if (item.type === 'response') {
        items.push({
          customerId: String(item.customerId),
          answer: { responseId: String(item.responseId), nps: Number(item.nps), comment: item.comment as string | undefined },
        });
      } else if (item.type === 'customer') {
        items.push({ customerId: String(item.customerId), customer: asRecipient(item) });
      }
    }
    if (LastEvaluatedKey) after = LastEvaluatedKey;
    else {
      partition++;
      after = undefined;
    }
  }
  return { items, next: partition < partitions.length ? { partition, after } : undefined };
}

/** Gets items by key in chunks of 100, retrying what DynamoDB leaves unprocessed. */
async function batchGet(db: Db, keyList: Array<{ pk: string; sk: string }>, consistent = false) {
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keyList.length; i += 100) {
    let request: Record<string, { Keys: Array<Record<string, unknown>>; ConsistentRead: boolean }> | undefined = {
      [db.table]: { Keys: keyList.slice(i, i + 100), ConsistentRead: consistent },
    };
    for (let attempt = 0; request && Object.keys(request).length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
      const { Responses, UnprocessedKeys } = await db.client.send(new BatchGetCommand({ RequestItems: request }));
      for (const item of Responses?.[db.table] ?? []) found.set(`${item.pk}\u0000${item.sk}`, item);
      request = UnprocessedKeys as typeof request;
    }
  }
  return (key: { pk: string; sk: string }) => found.get(`${key.pk}\u0000${key.sk}`);
}

export async function getRecipients(db: Db, customerIds: readonly string[]): Promise<Map<string, Recipient>> {
  const lookup = await batchGet(db, customerIds.map(keys.customer));
  const out = new Map<string, Recipient>();
  for (const id of customerIds) {
    const item = lookup(keys.customer(id));
    if (item) out.set(id, asRecipient(item));
  }
  return out;
}

const lastOnName = (campaignId: CampaignId) => `lastOn#${campaignId}`;

function asMailState(item: Record<string, unknown> | undefined): MailState | undefined {
  if (!item) return undefined;
  const lastOn: MailState['lastOn'] = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith('lastOn#')) lastOn[name.slice('lastOn#'.length) as CampaignId] = String(value);
  }
  return { lastSentOn: item.lastSentOn as string | undefined, lastOn };
}

const asLedger = (item: Record<string, unknown> | undefined): LedgerEntry | undefined =>
  item ? { status: item.status as LedgerEntry['status'], runId: String(item.runId) } : undefined;

export interface MailingFacts {
  customer?: Recipient;
  state?: MailState;
  ledger?: LedgerEntry;
}

/** The customer, their claim windows and this period's ledger entry, for many customers in one batch. */
export async function readMailingFacts(
  db: Db,
  campaignId: CampaignId,
  wanted: ReadonlyArray<{ customerId: string; period: string }>,
  options: { consistent?: boolean } = {},
): Promise<Map<string, MailingFacts>> {
  const keyList = wanted.flatMap(({ customerId, period }) => [
    keys.customer(customerId),
    keys.mailState(customerId),
    keys.emailLedger(customerId, campaignId, period),
  ]);
  const lookup = await batchGet(db, keyList, options.consistent);
  const out = new Map<string, MailingFacts>();
  for (const { customerId, period } of wanted) {
    const customer = lookup(keys.customer(customerId));
    out.set(customerId, {
      customer: customer && asRecipient(customer),
      state: asMailState(lookup(keys.mailState(customerId))),
      ledger: asLedger(lookup(keys.emailLedger(customerId, campaignId, period))),
    });
  }
  return out;
}

export interface EmailClaim {
  customerId: string;
  campaignId: CampaignId;
  /** The ledger period: the run date, or the local birthday being celebrated. */
  period: string;
  runDate: string;
  runId: string;
  frequencyCapDays: number;
  subject: string;
  language: string;
  now: string;
}

const customerStillMailable = (db: Db, customerId: string) => ({
  ConditionCheck: {
    TableName: db.table,
    Key: keys.customer(customerId),
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(unsubscribed) OR unsubscribed = :false) AND ' +
      '(attribute_not_exists(suppressed) OR suppressed = :false)',
    ExpressionAttributeValues: { ':false': false },
  },
});

/**
 * Claims one email before it is sent, in one transaction: the customer is still mailable, the campaign's period
 * window and the frequency cap are free (and are taken), and this period's ledger entry does not exist yet.
 * Returns false when any condition fails: the caller re-reads to say why.
 */
export async function claimEmail(db: Db, claim: EmailClaim): Promise<boolean> {
  const { periodCutoff, capCutoff } = claimWindows(claim.campaignId, claim.runDate, claim.frequencyCapDays);
  const windowCondition =
    '(attribute_not_exists(#last) OR #last <= :periodCutoff)' +
    (capCutoff ? ' AND (attribute_not_exists(lastSentOn) OR lastSentOn <= :capCutoff)' : '');
  return transactOrLose(db, [
    customerStillMailable(db, claim.customerId),
    {
      Update: {
        TableName: db.table,
        Key: keys.mailState(claim.customerId),
        UpdateExpression: 'SET #type = :type, lastSentOn = :date, #last = :date',
        ConditionExpression: windowCondition,
        ExpressionAttributeNames: { '#type': 'type', '#last': lastOnName(claim.campaignId) },
        ExpressionAttributeValues: {
          ':type': 'mailState',
          ':date': claim.runDate,
          ':periodCutoff': periodCutoff,
          ...(capCutoff ? { ':capCutoff': capCutoff } : {}),
        },
      },
    },
    {
      Put: {
        TableName: db.table,
        Item: {
          ...keys.emailLedger(claim.customerId, claim.campaignId, claim.period),
          type: 'email',
          customerId: claim.customerId,
          campaignId: claim.campaignId,
          period: claim.period,
          runId: claim.runId,
          status: 'claimed',
          subject: claim.subject,
          language: claim.language,
          claimedAt: claim.now,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ]);
}

/** A deferred entry (SES refused it for quota) is taken over by exactly one run: a conditional flip to claimed. */
export async function resumeDeferredEmail(db: Db, claim: EmailClaim): Promise<boolean> {
  return transactOrLose(db, [
    customerStillMailable(db, claim.customerId),
    {
      Update: {
        TableName: db.table,
        Key: keys.emailLedger(claim.customerId, claim.campaignId, claim.period),
        UpdateExpression: 'SET #status = :claimed, runId = :runId, subject = :subject, claimedAt = :now REMOVE sentAt',
        ConditionExpression: '#status = :deferred',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':claimed': 'claimed',
          ':deferred': 'deferred',
          ':runId': claim.runId,
          ':subject': claim.subject,
          ':now': claim.now,
        },
      },
    },
  ]);
}

/** Why DynamoDB cancelled a transaction, one code per item (`None` for the items that were fine). */
export const cancellationCodes = (error: unknown): string[] =>
  ((error as { CancellationReasons?: Array<{ Code?: string }> } | undefined)?.CancellationReasons ?? []).map((r) => r.Code ?? 'None');

/** Transient cancellations: the transaction did not lose, it did not get to run. */
const RETRYABLE_CANCELLATIONS = new Set(['TransactionConflict', 'ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);
const TRANSACT_ATTEMPTS = 6;

/**
 * Runs the transaction; false when it lost: a condition failed (the caller re-reads and decides). A conflict with a
 * concurrent transaction or throttling is not a loss: it is retried with backoff and full jitter, and thrown when it
 * persists (the run then stops the page and hands on; nothing is counted for it).
 */
async function transactOrLose(db: Db, TransactItems: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      await db.client.send(new TransactWriteCommand({ TransactItems }));
      return true;
    } catch (error) {
      if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
      const codes = cancellationCodes(error);
      const lost = codes.length ? codes.includes('ConditionalCheckFailed') : isConditionFailure(error);
      if (lost) return false;
      const transient = codes.length ? codes.every((code) => code === 'None' || RETRYABLE_CANCELLATIONS.has(code)) : /TransactionConflict|Throttl/.test(error.message);
      if (!transient || attempt >= TRANSACT_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(2_000, 50 * 2 ** attempt)));
    }
  }
}

/** Records the outcome of a claimed send on its ledger entry. */
export async function recordEmailOutcome(
  db: Db,
  entry: { customerId: string; campaignId: CampaignId; period: string; runId: string },
  outcome: { status: 'sent'; messageId: string; sentAt: string } | { status: 'deferred' | 'failed'; reason: string },
): Promise<void> {
  const values: Record<string, unknown> = { ':status': outcome.status, ':runId': entry.runId };
  let set = '#status = :status';
  if (outcome.status === 'sent') {
    set += ', messageId = :messageId, sentAt = :sentAt';
    Object.assign(values, { ':messageId': outcome.messageId, ':sentAt': outcome.sentAt });
  } else {
    set += ', reason = :reason';
    values[':reason'] = outcome.reason;
  }
  await db.client.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.emailLedger(entry.customerId, entry.campaignId, entry.period),
      UpdateExpression: `SET ${set}`,
      ConditionExpression: 'runId = :runId',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    }),
  );
}

/**
 * Moves a customer's place in the customers-by-last-response index forward (never back). A customer without a
 * profile is not indexed: win-back needs an address, and the profile's PUT indexes them later.
 */
export async function noteLatestResponse(db: Db, customerId: string, submittedAt: string): Promise<void> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.customer(customerId),
        UpdateExpression: 'SET lastResponseAt = :at, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk',
        ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lastResponseAt) OR lastResponseAt < :at)',
        ExpressionAttributeValues: { ':at': submittedAt, ...prefixValues(lastResponseIndex(customerId, submittedAt)) },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}

const prefixValues = (values: Record<string, string>) =>
  Object.fromEntries(Object.entries(values).map(([name, value]) => [`:${name}`, value]));

/** Marks a customer as opted out of appreciation emails; idempotent. False when there is no such customer. */
export async function unsubscribeCustomer(db: Db, customerId: string, now: string): Promise<boolean> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.customer(customerId),
        UpdateExpression: 'SET unsubscribed = :true, unsubscribedAt = if_not_exists(unsubscribedAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Marks a customer as suppressed after SES reported a permanent bounce or a complaint; idempotent. */
export async function suppressCustomer(db: Db, customerId: string, reason: 'bounce' | 'complaint', now: string): Promise<boolean> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.customer(customerId),
        UpdateExpression: 'SET suppressed = :true, suppressedReason = if_not_exists(suppressedReason, :reason), suppressedAt = if_not_exists(suppressedAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':true': true, ':reason': reason, ':now': now },
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}
