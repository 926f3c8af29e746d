import { createHash, randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function base32(bytes: Uint8Array, length: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < length) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out;
}

/** A time-ordered id (ULID layout: 10 chars of milliseconds, 16 random). */
export function newId(nowMs = Date.now()): string {
  let time = '';
  for (let t = nowMs, i = 0; i < 10; i++, t = Math.floor(t / 32)) time = CROCKFORD[t % 32] + time;
  return time + base32(randomBytes(10), 16);
}

/** A random nonce for links and tokens. */
export const newNonce = (): string => randomBytes(12).toString('base64url');

/** The response id of a link: derived from the link, so one link always names one response. */
export function linkResponseId(surveyId: string, nonce: string): string {
  return base32(createHash('sha256').update(`${surveyId}\u0000${nonce}`).digest(), 26);
}

/** A stable hash of a request body, for idempotency. */
export const bodyHash = (raw: string): string => createHash('sha256').update(raw).digest('base64url');

/** An id derived from its parts (26 Crockford base32 characters): the same parts always name the same item. */
export const stableId = (...parts: string[]): string => base32(createHash('sha256').update(parts.join('\u0000')).digest(), 26);
