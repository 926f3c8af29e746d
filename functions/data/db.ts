import {
  BatchGetCommand,
  BatchWriteCommand,
  paginateQuery,
  paginateScan,
  type DynamoDBDocumentClient,
  type NativeAttributeValue,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/lib-dynamodb';

/**
 * The DynamoDB toolkit: the table handle, the one retry policy, pagination, batch reads and cancellation reasons.
 *
 * Retries are split in two, never stacked. The client's standard retry strategy (configured once in
 * `#runtime/clients.ts`) retries throttling, server and network errors on every call. What it cannot see is
 * retried here, with one backoff: transactions cancelled by a conflict or throttling (a TransactionCanceledException
 * is a 400 to the SDK), the keys a BatchGet leaves unprocessed, and races the caller names (`isTransient`).
 */

/** A table handle: the client and the table's name, wired once per function. */
export interface Db {
  client: DynamoDBDocumentClient;
  table: string;
}

export type Item = Record<string, NativeAttributeValue>;
export interface TableKey {
  pk: string;
  sk: string;
}

// ---- Cancellation reasons -------------------------------------------------------------------------------------

export interface CancellationReason {
  Code?: string;
  Message?: string;
  Item?: Item;
}

/** Why DynamoDB cancelled a transaction, one reason per item in TransactItems order; [] for any other error. */
export const cancellationReasons = (error: unknown): CancellationReason[] =>
  (error as { CancellationReasons?: CancellationReason[] } | undefined)?.CancellationReasons ?? [];

/** One code per transaction item (`None` for the items that were fine); [] for any other error. */
export const cancellationCodes = (error: unknown): string[] => cancellationReasons(error).map((r) => r.Code ?? 'None');

export const isTransactionCanceled = (error: unknown): error is Error =>
  error instanceof Error && error.name === 'TransactionCanceledException';

/** A condition failed: on a single write, or on any item of a transaction. */
export const isConditionFailure = (error: unknown): boolean =>
  error instanceof Error &&
  (error.name === 'ConditionalCheckFailedException' ||
    (error.name === 'TransactionCanceledException' && /ConditionalCheckFailed/.test(error.message)));

/** Cancellation codes that mean the transaction did not get to run, rather than that it lost. */
const TRANSIENT_CANCELLATION_CODES = new Set([
  'TransactionConflict',
  'ThrottlingError',
  'ProvisionedThroughputExceeded',
  'RequestLimitExceeded',
]);

/**
 * A transaction cancelled by a conflict with another transaction or by throttling, and by nothing else: worth
 * running again. The SDK does not retry these (to it they are a 400). Without reasons, the message decides.
 */
export function isTransientCancellation(error: unknown): boolean {
  if (!isTransactionCanceled(error)) return false;
  const codes = cancellationCodes(error);
  if (codes.length === 0) return /TransactionConflict|Throttl/.test(error.message);
  return codes.every((code) => code === 'None' || TRANSIENT_CANCELLATION_CODES.has(code));
}

// ---- The one backoff ------------------------------------------------------------------------------------------

/** The one retry policy for what the SDK does not retry: exponential from 100 ms, capped at 2 s, full jitter. */
export const RETRY = { attempts: 6, baseDelayMs: 50, maxDelayMs: 2_000 } as const;

/** How to wait; tests pass a recording `sleep` and a fixed `random`. */
export interface Backoff {
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The wait before retry number `retry` (1 for the first retry): full jitter under an exponential, capped ceiling. */
export const backoffDelay = (retry: number, random: () => number = Math.random): number =>
  Math.floor(random() * Math.min(RETRY.maxDelayMs, RETRY.baseDelayMs * 2 ** retry));

export interface RetryOptions extends Backoff {
  /** Which errors pass with time. Default: transient transaction cancellations. */
  isTransient?: (error: unknown) => boolean;
}

/**
 * Runs `operation` (given its attempt number, from 1) until it succeeds, retrying transient errors with the one
 * backoff for at most RETRY.attempts attempts; then, or on any other error, the error is thrown.
 */
export async function retryTransient<T>(operation: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
  const { isTransient = isTransientCancellation, sleep = realSleep, random = Math.random } = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= RETRY.attempts || !isTransient(error)) throw error;
      await sleep(backoffDelay(attempt, random));
    }
  }
}

// ---- Reading many items ---------------------------------------------------------------------------------------

export type QueryInput = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;
export type ScanInput = Omit<ScanCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/** Every page of a query, in order (the SDK's paginator); stop iterating to stop reading. */
export async function* queryPages(db: Db, input: QueryInput): AsyncGenerator<Item[]> {
  for await (const page of paginateQuery({ client: db.client }, { ...input, TableName: db.table })) yield page.Items ?? [];
}

/** Every page of a scan, in order (the SDK's paginator). Admin tools only: the API never scans. */
export async function* scanPages(db: Db, input: ScanInput): AsyncGenerator<Item[]> {
  for await (const page of paginateScan({ client: db.client }, { ...input, TableName: db.table })) yield page.Items ?? [];
}

/** All the items of a query, every page read. */
export async function queryAll(db: Db, input: QueryInput): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of queryPages(db, input)) items.push(...page);
  return items;
}

/** DynamoDB's caps on one BatchGetItem and one BatchWriteItem request. */
export const BATCH_GET_KEYS = 100;
export const BATCH_WRITE_ITEMS = 25;

/** Thrown when DynamoDB still leaves keys (BatchGet) or items (BatchWrite) unprocessed after RETRY.attempts requests. */
export class UnprocessedKeys extends Error {
  override name = 'UnprocessedKeys';
}

/**
 * Sends `pending` until DynamoDB has processed all of it: `send` returns what it left unprocessed, which is sent
 * again after the one backoff, at most RETRY.attempts requests in all.
 */
async function untilProcessed<T>(pending: T[], send: (pending: T[]) => Promise<T[]>, backoff: Backoff): Promise<void> {
  const { sleep = realSleep, random = Math.random } = backoff;
  for (let attempt = 1; pending.length > 0; attempt++) {
    if (attempt > RETRY.attempts) {
      throw new UnprocessedKeys(`${pending.length} still unprocessed after ${RETRY.attempts} requests.`);
    }
    if (attempt > 1) await sleep(backoffDelay(attempt - 1, random));
    pending = await send(pending);
  }
}

/**
 * Gets items by key, 100 a request, retrying the keys DynamoDB leaves unprocessed with the one backoff (at most
 * RETRY.attempts requests per chunk, then UnprocessedKeys is thrown). Items come back in no particular order.
 */
export async function batchGet(
  db: Db,
  keyList: readonly TableKey[],
  options: { consistent?: boolean; projection?: string } & Backoff = {},
): Promise<Item[]> {
  const found: Item[] = [];
  const send = async (Keys: Item[]) => {
    const { Responses, UnprocessedKeys: unprocessed } = await db.client.send(
      new BatchGetCommand({
        RequestItems: {
          [db.table]: {
            Keys,
            ConsistentRead: options.consistent ?? false,
            ...(options.projection ? { ProjectionExpression: options.projection } : {}),
          },
        },
      }),
    );
    found.push(...(Responses?.[db.table] ?? []));
    return (unprocessed?.[db.table]?.Keys ?? []) as Item[];
  };
  for (let i = 0; i < keyList.length; i += BATCH_GET_KEYS) {
    await untilProcessed(
      keyList.slice(i, i + BATCH_GET_KEYS).map((k) => ({ ...k })),
      send,
      options,
    );
  }
  return found;
}

/** Puts items, 25 a request, retrying what DynamoDB leaves unprocessed like batchGet. For seeding and admin tools. */
export async function batchPut(db: Db, items: readonly Item[], backoff: Backoff = {}): Promise<void> {
  type PutRequest = { PutRequest: { Item: Item } };
  const send = async (requests: PutRequest[]) => {
    const { UnprocessedItems } = await db.client.send(new BatchWriteCommand({ RequestItems: { [db.table]: requests } }));
    return (UnprocessedItems?.[db.table] ?? []) as PutRequest[];
  };
  for (let i = 0; i < items.length; i += BATCH_WRITE_ITEMS) {
    await untilProcessed(
      items.slice(i, i + BATCH_WRITE_ITEMS).map((Item) => ({ PutRequest: { Item } })),
      send,
      backoff,
    );
  }
}

/** Deletes items by key, 25 a request, retrying what DynamoDB leaves unprocessed like batchPut (a missing key is no error). */
export async function batchDelete(db: Db, keyList: readonly TableKey[], backoff: Backoff = {}): Promise<void> {
  type DeleteRequest = { DeleteRequest: { Key: Item } };
  const send = async (requests: DeleteRequest[]) => {
    const { UnprocessedItems } = await db.client.send(new BatchWriteCommand({ RequestItems: { [db.table]: requests } }));
    return (UnprocessedItems?.[db.table] ?? []) as DeleteRequest[];
  };
  for (let i = 0; i < keyList.length; i += BATCH_WRITE_ITEMS) {
    await untilProcessed(
      keyList.slice(i, i + BATCH_WRITE_ITEMS).map(({ pk, sk }) => ({ DeleteRequest: { Key: { pk, sk } } })),
      send,
      backoff,
    );
  }
}

/** A lookup of items by their key (items read with `pk` and `sk`). */
export function byKey(items: readonly Item[]): (key: TableKey) => Item | undefined {
  const index = new Map(items.map((item) => [`${item.pk}\u0000${item.sk}`, item]));
  return (key) => index.get(`${key.pk}\u0000${key.sk}`);
}

/**
 * A map whose keys people chose (attributes), for the marshaller: as a plain object, a key named `constructor`
 * makes it look like a class instance and the write fails; a `Map` is always stored as a DynamoDB map.
 */
export const userKeyedMap = <V>(record: Record<string, V>): Map<string, V> => new Map(Object.entries(record));
