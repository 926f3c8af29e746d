import { randomUUID } from 'node:crypto';
import { DeleteCommand, PutCommand, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, retryTransient, type Db } from './db.ts';
import { keys } from './keys.ts';

/** How long a key is remembered, and how long an unfinished request holds it before another may take over. */
export const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;
export const IN_PROGRESS_LEASE_MS = 30_000;

/** Who sent an idempotency key: the admin token or an API key (imports), a link's customer, or an anonymous caller. */
export type KeyCaller =
  { kind: 'admin' } | { kind: 'apiKey'; keyId: string } | { kind: 'customer'; customerId: string } | { kind: 'anonymous' };

/**
 * The key as stored: the caller's namespace, then the key they sent. Keys are the caller's own, so nobody can occupy
 * or replay another caller's key (a public caller taking an admin import's key first, say). Namespaces never
 * contain `#` (customer ids cannot), so two callers' keys never meet.
 */
export function scopedIdempotencyKey(caller: KeyCaller, key: string): string {
  const namespace =
    caller.kind === 'customer' ? `customer:${caller.customerId}` : caller.kind === 'apiKey' ? `key:${caller.keyId}` : caller.kind;
  return `${namespace}#${key}`;
}

/** The first answer, kept byte for byte so a replay is identical. */
export interface IdempotentResult {
  status: number;
  /** The JSON body as sent. */
  body: string;
}

export type Claim =
  /** `owner` proves the claim is still ours when completing or releasing it, even after a takeover. */
  | { kind: 'claimed'; owner: string }
  | { kind: 'replay'; result: IdempotentResult }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

/** The key was released between a failed claim and the read of its holder. */
class KeyVanished extends Error {
  override name = 'KeyVanished';
}

/**
 * Claims an idempotency key for a request body: the first caller gets `claimed`; later callers with the same
 * body get the stored answer (`replay`) or `in_progress`; a different body is a `mismatch`.
 * A claim whose request died is taken over once its lease runs out.
 */
export async function claimIdempotencyKey(db: Db, key: string, bodyHash: string, nowMs: number): Promise<Claim> {
  const owner = randomUUID();
  const attempt = async (): Promise<Claim> => {
    try {
      await db.client.send(
        new PutCommand({
          TableName: db.table,
          Item: {
            ...keys.idempotency(key),
            type: 'idempotency',
            status: 'IN_PROGRESS',
            owner,
            bodyHash,
            leaseUntil: nowMs + IN_PROGRESS_LEASE_MS,
            ttl: Math.floor(nowMs / 1000) + IDEMPOTENCY_TTL_SECONDS,
          },
          // Free, expired (TTL deletes lazily), or an abandoned in-progress claim.
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :nowSeconds OR (#status = :inProgress AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#ttl': 'ttl', '#status': 'status' },
          ExpressionAttributeValues: { ':nowSeconds': Math.floor(nowMs / 1000), ':inProgress': 'IN_PROGRESS', ':now': nowMs },
        }),
      );
      return { kind: 'claimed', owner };
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    const { Item } = await db.client.send(
      new GetCommand({ TableName: db.table, Key: keys.idempotency(key), ConsistentRead: true }),
    );
    if (!Item) throw new KeyVanished(); // deleted between our two calls: try to claim again
    if (Item.bodyHash !== bodyHash) return { kind: 'mismatch' };
    if (Item.status === 'COMPLETED') return { kind: 'replay', result: Item.result as IdempotentResult };
    return { kind: 'in_progress' };
  };
  try {
    return await retryTransient(attempt, { isTransient: (error) => error instanceof KeyVanished });
  } catch (error) {
    if (error instanceof KeyVanished) return { kind: 'in_progress' }; // the key keeps changing hands: someone holds it
    throw error;
  }
}

/** The update that marks a claimed key done with its answer: alone, or in the transaction that stores the work. */
export function idempotencyCompletion(db: Db, key: string, owner: string, result: IdempotentResult) {
  return {
    TableName: db.table,
    Key: keys.idempotency(key),
    UpdateExpression: 'SET #status = :completed, #result = :result REMOVE leaseUntil',
    ConditionExpression: '#status = :inProgress AND #owner = :owner',
    ExpressionAttributeNames: { '#status': 'status', '#result': 'result', '#owner': 'owner' },
    ExpressionAttributeValues: { ':completed': 'COMPLETED', ':inProgress': 'IN_PROGRESS', ':result': result, ':owner': owner },
  };
}

/** Marks a claimed key done with its answer, after the work was stored; false when the key is no longer ours. */
export async function completeIdempotencyKey(db: Db, key: string, owner: string, result: IdempotentResult): Promise<boolean> {
  try {
    await db.client.send(new UpdateCommand(idempotencyCompletion(db, key, owner, result)));
    return true;
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
}

/** Frees a claimed key when the request was rejected, so a rejected request stores nothing. */
export async function releaseIdempotencyKey(db: Db, key: string, owner: string): Promise<void> {
  await db.client
    .send(
      new DeleteCommand({
        TableName: db.table,
        Key: keys.idempotency(key),
        ConditionExpression: '#status = :inProgress AND #owner = :owner',
        ExpressionAttributeNames: { '#status': 'status', '#owner': 'owner' },
        ExpressionAttributeValues: { ':inProgress': 'IN_PROGRESS', ':owner': owner },
      }),
    )
    .catch((error: unknown) => {
      if (!isConditionFailure(error)) throw error;
    });
}
