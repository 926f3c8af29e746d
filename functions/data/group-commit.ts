import { TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  cancellationCodes,
  isConditionFailure,
  isTransactionCanceled,
  isTransientCancellation,
  retryTransient,
  type Db,
} from './db.ts';

/**
 * Group commit for conditional writes. A write is a group of items that hold together (a claim: its condition checks
 * and its put); groups written at the same moment go to DynamoDB as one TransactWriteItems of up to 100 items instead
 * of a request each, and each group still wins or loses on its own. When DynamoDB cancels the transaction, the groups
 * whose condition failed lose; the others were cancelled with them, so nothing of theirs was written, and they go
 * again. A group goes alone at once while fewer than `IN_FLIGHT` transactions are under way, exactly as without this
 * (a single update as a plain conditional write); the groups that queue meanwhile share the next transaction, so under
 * load the requests per write fall as the load rises. No transaction touches one item twice (DynamoDB refuses it), nor
 * an item a write under way touches (the two would conflict): a group that would waits for the next.
 */

export type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** DynamoDB's limit on the items of one transaction. */
export const TRANSACTION_ITEMS = 100;
/** Writes of one table handle under way at once; the queue fills the next while these run. */
export const IN_FLIGHT = 2;
/** A group cancelled this often alongside others (conflicts) goes alone, with the toolkit's retry policy. */
const ROUNDS_TOGETHER = 3;
/** Cancellation codes of throttling: such a group goes alone, so it waits the toolkit's backoff before it goes again. */
const THROTTLED = new Set(['ThrottlingError', 'ProvisionedThroughputExceeded', 'RequestLimitExceeded']);

interface Pending {
  items: TransactItem[];
  keys: string[];
  rounds: number;
  resolve(won: boolean): void;
  reject(error: unknown): void;
}

/** Writes the group once it can: true when written, false when one of its conditions failed. */
export type GroupCommit = (items: TransactItem[]) => Promise<boolean>;

const committers = new WeakMap<Db['client'], Map<string, GroupCommit>>();

/** The group commit of a table handle, shared by every caller of the same client and table. */
export function groupCommit(db: Db): GroupCommit {
  let byTable = committers.get(db.client);
  if (!byTable) committers.set(db.client, (byTable = new Map<string, GroupCommit>()));
  let commit = byTable.get(db.table);
  if (!commit) byTable.set(db.table, (commit = committer(db)));
  return commit;
}

const itemKey = (item: TransactItem): string => {
  const { TableName, Key } = item.Put
    ? { TableName: item.Put.TableName, Key: item.Put.Item }
    : (item.Update ?? item.Delete ?? item.ConditionCheck)!;
  return `${TableName}\u0000${String(Key?.pk)}\u0000${String(Key?.sk)}`;
};

/** Lost: a condition failed (whatever else was cancelled with it). */
function lost(error: unknown): boolean {
  if (!isTransactionCanceled(error)) return isConditionFailure(error);
  const codes = cancellationCodes(error);
  return codes.length ? codes.includes('ConditionalCheckFailed') : isConditionFailure(error);
}

/**
 * One group by itself, conflicts and throttling retried with the toolkit's one backoff: a single update as a plain
 * conditional write (it costs half a transactional one), anything else as a transaction. (Updates only: a function's
 * bundle holds no other single-write command it was not already granted.)
 */
async function alone(db: Db, items: TransactItem[]): Promise<boolean> {
  const [only] = items;
  const write = (): Promise<unknown> =>
    items.length === 1 && only!.Update
      ? db.client.send(new UpdateCommand(only!.Update))
      : db.client.send(new TransactWriteCommand({ TransactItems: items }));
  try {
    await retryTransient(write, {
      // A plain update of an item a transaction holds fails with TransactionConflictException: a conflict too.
      isTransient: (error) =>
        !lost(error) &&
        (isTransientCancellation(error) || (error instanceof Error && error.name === 'TransactionConflictException')),
    });
    return true;
  } catch (error) {
    if (lost(error)) return false;
    throw error;
  }
}

function committer(db: Db): GroupCommit {
  const queue: Pending[] = [];
  /** The items of the writes under way. */
  const busy = new Set<string>();
  let inFlight = 0;

  const settle = (group: Pending, outcome: Promise<boolean>) =>
    outcome.then(
      (won) => group.resolve(won),
      (error: unknown) => group.reject(error),
    );

  async function together(groups: Pending[]): Promise<void> {
    try {
      await db.client.send(new TransactWriteCommand({ TransactItems: groups.flatMap((group) => group.items) }));
      for (const group of groups) group.resolve(true);
    } catch (error) {
      const codes = cancellationCodes(error);
      if (!isTransactionCanceled(error) || codes.length === 0) {
        // Not a cancellation (throttled past the SDK's retries, the network): the transaction may even have been
        // written, so no group goes again. Each caller gets the error, as from a write of its own.
        for (const group of groups) group.reject(error);
        return;
      }
      const again: Pending[] = [];
      const soloists: Pending[] = [];
      let at = 0;
      for (const group of groups) {
        const own = codes.slice(at, (at += group.items.length));
        if (own.includes('ConditionalCheckFailed')) group.resolve(false);
        // Throttled, or cancelled by conflicts round after round: alone, with the toolkit's backoff.
        else if (own.some((code) => THROTTLED.has(code)) || ++group.rounds >= ROUNDS_TOGETHER) soloists.push(group);
        else again.push(group);
      }
      queue.unshift(...again);
      await Promise.all(soloists.map((group) => settle(group, alone(db, group.items))));
    }
  }

  /**
   * The queued groups that fit one transaction, oldest first: no item twice, and none that a write under way touches
   * (on DynamoDB the two would conflict and cancel each other).
   */
  function take(): Pending[] {
    const taken: Pending[] = [];
    const touched = new Set<string>(busy);
    let size = 0;
    for (let i = 0; i < queue.length && size < TRANSACTION_ITEMS;) {
      const group = queue[i]!;
      if (size + group.items.length > TRANSACTION_ITEMS || group.keys.some((key) => touched.has(key))) {
        i++;
        continue;
      }
      queue.splice(i, 1);
      taken.push(group);
      size += group.items.length;
      for (const key of group.keys) touched.add(key);
    }
    return taken;
  }

  function pump() {
    while (inFlight < IN_FLIGHT && queue.length) {
      const groups = take();
      if (!groups.length) return; // all wait for items a write under way holds: its end pumps again
      const keys = groups.flatMap((group) => group.keys);
      for (const key of keys) busy.add(key);
      inFlight++;
      const write = groups.length === 1 ? settle(groups[0]!, alone(db, groups[0]!.items)) : together(groups);
      void write
        .catch((error: unknown) => groups.forEach((group) => group.reject(error)))
        .finally(() => {
          for (const key of keys) busy.delete(key);
          inFlight--;
          pump();
        });
    }
  }

  return (items) =>
    new Promise<boolean>((resolve, reject) => {
      // Never taken into a transaction, it would wait for ever: refuse it now.
      if (items.length > TRANSACTION_ITEMS)
        return reject(new RangeError(`A group holds ${items.length} items; at most ${TRANSACTION_ITEMS}`));
      queue.push({ items, keys: items.map(itemKey), rounds: 0, resolve, reject });
      pump();
    });
}
