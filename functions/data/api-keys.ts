import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Scope } from '#core/api-keys.ts';
import { isConditionFailure, queryAll, type Db } from './db.ts';
import { keys } from './keys.ts';

/** An API key as the API shows it: never its secret, which is not stored. */
export interface ApiKey {
  keyId: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
}

/** An API key as stored: the SHA-256 (hex) of its secret instead of the secret. */
export interface StoredApiKey extends ApiKey {
  secretHash: string;
}

/**
 * How long a container trusts an API key it has read: a key revoked through another container is refused within
 * this time (the contract allows 60 seconds); the container that revoked it refuses it at once. It saves every
 * request with a key a read. Keys that were not found are not cached, so a new key works at once everywhere.
 */
export const API_KEY_CACHE_TTL_MS = 30_000;
/** Keys are the team's own, few; the bound only keeps a container's memory flat whatever happens. */
const API_KEY_CACHE_ENTRIES = 1_000;
const cache = new Map<string, { key: StoredApiKey; until: number }>();

const publicKey = ({ keyId, name, scopes, createdAt }: StoredApiKey): ApiKey => ({ keyId, name, scopes, createdAt });

export async function createApiKey(db: Db, key: StoredApiKey): Promise<ApiKey> {
  await db.client.send(
    new PutCommand({
      TableName: db.table,
      Item: { ...keys.apiKey(key.keyId), type: 'apiKey', ...key },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return publicKey(key);
}

/** Every key, oldest first (their ids are time-ordered), without secret hashes. */
export async function listApiKeys(db: Db): Promise<ApiKey[]> {
  const items = await queryAll(db, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': keys.apiKeys().pk },
    ConsistentRead: true,
  });
  return items.map((item) => publicKey(item as StoredApiKey));
}

/** Revokes a key: its item is deleted. False when there was no such key. */
export async function deleteApiKey(db: Db, keyId: string): Promise<boolean> {
  try {
    await db.client.send(
      new DeleteCommand({ TableName: db.table, Key: keys.apiKey(keyId), ConditionExpression: 'attribute_exists(pk)' }),
    );
  } catch (error) {
    if (isConditionFailure(error)) return false;
    throw error;
  }
  cache.delete(keyId); // this container refuses it at once (others within API_KEY_CACHE_TTL_MS)
  return true;
}

/** A key by id, through the container's cache (API_KEY_CACHE_TTL_MS): one consistent GetItem when not cached. */
export async function getApiKeyCached(db: Db, keyId: string, nowMs = Date.now()): Promise<StoredApiKey | undefined> {
  const cached = cache.get(keyId);
  if (cached && cached.until > nowMs) return cached.key;
  cache.delete(keyId);
  const { Item } = await db.client.send(new GetCommand({ TableName: db.table, Key: keys.apiKey(keyId), ConsistentRead: true }));
  if (!Item) return undefined;
  const key: StoredApiKey = {
    keyId: Item.keyId as string,
    name: Item.name as string,
    scopes: Item.scopes as Scope[],
    createdAt: Item.createdAt as string,
    secretHash: Item.secretHash as string,
  };
  if (cache.size >= API_KEY_CACHE_ENTRIES) cache.delete(cache.keys().next().value!);
  cache.set(keyId, { key, until: nowMs + API_KEY_CACHE_TTL_MS });
  return key;
}
