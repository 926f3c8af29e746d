import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import { newId } from './ids.ts';
import { UNSAFE_TEXT } from './schemas.ts';

/**
 * API keys: credentials the team hands out with some scopes, sent like the admin token (`Authorization: Bearer …`).
 *
 * A key's secret is `fbk_<keyId>_<random>`: the id inside it makes the check one read by key, and the random part
 * is 256 bits from the CSPRNG. Only its SHA-256 is stored. A slow KDF (bcrypt, scrypt, Argon2) exists to make
 * guessing a low-entropy password from its hash expensive; a 256-bit random secret cannot be guessed from its hash
 * at any speed, so one fast hash protects it as well and costs nothing per request.
 */

export const SCOPES = ['admin', 'read', 'ingest'] as const;
/** `admin`: everything. `read`: every GET under /v1/surveys and /v1/customers (the dashboard). `ingest`: writes of data in. */
export type Scope = (typeof SCOPES)[number];

/** A key's id: a time-ordered id (ULID layout, Crockford base32), so listings come out oldest first. */
export const KEY_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
const SECRET_PREFIX = 'fbk_';
const SECRET = /^fbk_([0-9A-HJKMNP-TV-Z]{26})_([A-Za-z0-9_-]{43})$/;

/** Whether a caller holding `scopes` may call a route that needs `needed`: `admin` may call anything. */
export const grants = (scopes: readonly Scope[], needed: Scope): boolean => scopes.includes('admin') || scopes.includes(needed);

/** A new key's id and the secret the caller is shown once. */
export function newKeySecret(nowMs = Date.now()): { keyId: string; secret: string } {
  const keyId = newId(nowMs);
  return { keyId, secret: `${SECRET_PREFIX}${keyId}_${randomBytes(32).toString('base64url')}` };
}

/** The key id a presented secret names; undefined when it is not shaped like a key (then it is no key at all). */
export const keyIdOf = (secret: string): string | undefined => SECRET.exec(secret)?.[1];

/** What is stored instead of the secret: its SHA-256, hex. */
export const secretHash = (secret: string): string => createHash('sha256').update(secret, 'utf8').digest('hex');

/** Whether a presented secret is the one whose hash was stored, in constant time. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const given = Buffer.from(secretHash(secret), 'hex');
  const stored = Buffer.from(storedHash, 'hex');
  return given.length === stored.length && timingSafeEqual(given, stored);
}

// ---- the API's shapes ----

export const keyId = z.string().check(z.regex(KEY_ID, 'Use a keyId as POST /v1/keys answered it (26 characters).'));

export const keyBody = z.strictObject({
  name: z.string().check(
    z.minLength(1),
    z.maxLength(100),
    z.refine((s) => !UNSAFE_TEXT.test(s), 'Use plain text on one line: no control characters or bidi controls.'),
    z.describe('What the key is for, as people read it ("dashboard").'),
  ),
  scopes: z.array(z.enum(SCOPES)).check(
    z.minLength(1, 'Give at least one scope: admin, read or ingest.'),
    z.refine((scopes) => new Set(scopes).size === scopes.length, 'Give each scope once.'),
    z.describe('admin (everything), read (every GET under /v1/surveys and /v1/customers) or ingest (data in).'),
  ),
});
export type KeyInput = z.infer<typeof keyBody>;
