import { createHmac, timingSafeEqual, createHash } from 'node:crypto';

/**
 * Signed, expiring tokens for survey links and unsubscribe links.
 * Format: `<kid>.<payload base64url>.<HMAC-SHA256 base64url>`; the key id lets the secret rotate:
 * new tokens are signed with `activeKid`, old ones verify while their key stays in the ring.
 */
export interface Keyring {
  activeKid: string;
  keys: Record<string, string>;
}

export type TokenPurpose = 'survey' | 'unsubscribe';

export interface TokenClaims {
  purpose: TokenPurpose;
  customerId: string;
  /** Present for survey links. */
  surveyId?: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
  /** Unique per link: one link, one response. */
  nonce: string;
  /** The invitation that sent this link, if one did: answering through it marks the invitation answered. */
  invitationId?: string;
}

interface Wire {
  p: 's' | 'u';
  c: string;
  s?: string;
  e: number;
  n: string;
  i?: string;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');
const mac = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest();

/** Parses the keyring secret: `{"activeKid":"k1","k1":"<secret>","k0":"<older secret>"}`. */
export function parseKeyring(json: string): Keyring {
  const raw = JSON.parse(json) as Record<string, unknown>;
  const { activeKid, ...rest } = raw;
  const keys: Record<string, string> = {};
  for (const [kid, secret] of Object.entries(rest)) {
    // A key id is the token's first dot-separated part: it cannot contain a dot.
    if (/^[A-Za-z0-9_-]{1,32}$/.test(kid) && typeof secret === 'string' && secret.length >= 16) keys[kid] = secret;
  }
  if (typeof activeKid !== 'string' || !keys[activeKid]) {
    throw new Error('The signing keyring needs "activeKid" naming a key of at least 16 characters.');
  }
  return { activeKid, keys };
}

export function signToken(ring: Keyring, claims: TokenClaims): string {
  const wire: Wire = { p: claims.purpose === 'survey' ? 's' : 'u', c: claims.customerId, e: claims.exp, n: claims.nonce };
  if (claims.surveyId !== undefined) wire.s = claims.surveyId;
  if (claims.invitationId !== undefined) wire.i = claims.invitationId;
  const head = `${ring.activeKid}.${b64url(JSON.stringify(wire))}`;
  return `${head}.${b64url(mac(ring.keys[ring.activeKid]!, head))}`;
}

/** Returns the claims of a valid, unexpired token of the given purpose, else null. Constant-time MAC check. */
export function verifyToken(ring: Keyring, token: unknown, purpose: TokenPurpose, nowMs: number): TokenClaims | null {
  if (typeof token !== 'string' || token.length > 1024) return null;
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [kid, payload, sig] = parts as [string, string, string];
  const secret = Object.hasOwn(ring.keys, kid) ? ring.keys[kid] : undefined;
  if (!secret) return null;
  // The signature's text itself, not its decoded bytes: base64url decoding skips stray characters and a last
  // character's unused bits, so a tampered token could decode to the right MAC.
  const expected = Buffer.from(b64url(mac(secret, `${kid}.${payload}`)));
  const given = Buffer.from(sig);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  let wire: Wire;
  try {
    wire = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Wire;
  } catch {
    return null;
  }
  if (wire.p !== (purpose === 'survey' ? 's' : 'u') || typeof wire.c !== 'string' || typeof wire.n !== 'string') return null;
  if (typeof wire.e !== 'number' || wire.e * 1000 <= nowMs) return null;
  const claims: TokenClaims = { purpose, customerId: wire.c, surveyId: wire.s, exp: wire.e, nonce: wire.n };
  if (typeof wire.i === 'string') claims.invitationId = wire.i;
  return claims;
}

/** Constant-time comparison of two secrets of any length. */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
