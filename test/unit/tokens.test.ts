import { describe, expect, it } from 'vitest';
import { parseKeyring, secretsEqual, signToken, verifyToken, type TokenClaims } from '../../functions/core/tokens.ts';

const ring = { activeKid: 'k2', keys: { k1: 'old-secret-0123456789', k2: 'new-secret-0123456789' } };
const now = Date.UTC(2026, 10, 24);
const claims: TokenClaims = { purpose: 'survey', surveyId: 's-1', customerId: 'c-1', exp: now / 1000 + 3600, nonce: 'n1' };

describe('signed tokens', () => {
  it('round-trips the claims of a valid token', () => {
    expect(verifyToken(ring, signToken(ring, claims), 'survey', now)).toEqual(claims);
  });

  it('verifies tokens signed with an older key still in the ring (rotation)', () => {
    const old = signToken({ ...ring, activeKid: 'k1' }, claims);
    expect(old.startsWith('k1.')).toBe(true);
    expect(verifyToken(ring, old, 'survey', now)?.customerId).toBe('c-1');
  });

  const token = signToken(ring, claims);
  const [kid, payload, sig] = token.split('.') as [string, string, string];
  const forged = Buffer.from(JSON.stringify({ p: 's', c: 'c-2', s: 's-1', e: claims.exp, n: 'n1' })).toString('base64url');
  it.each([
    ['expired', token, now + 3601_000],
    ['tampered payload', `${kid}.${forged}.${sig}`, now],
    ['tampered signature', `${kid}.${payload}.${sig.slice(0, -2)}AA`, now],
    ['unknown key id', `k9.${payload}.${sig}`, now],
    ['prototype key id', `__proto__.${payload}.${sig}`, now],
    ['not three parts', `${kid}.${payload}`, now],
    ['empty', '', now],
    ['not a string', 42, now],
    ['huge', 'a'.repeat(5000), now],
  ])('rejects a token that is %s', (_name, candidate, at) => {
    expect(verifyToken(ring, candidate, 'survey', at)).toBeNull();
  });

  it('rejects every other spelling of the signature, though base64url would decode some to the same bytes', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const spellings = ['=', '==', '%3D', ' ', '!', '*', '~', '.'].map((extra) => `${sig}${extra}`);
    spellings.push(sig.replaceAll('-', '+').replaceAll('_', '/'), ` ${sig}`);
    // Every one-character change, the last one included (its low bits are not part of the 32 bytes).
    for (let at = 0; at < sig.length; at++) {
      for (const c of alphabet) if (c !== sig[at]) spellings.push(`${sig.slice(0, at)}${c}${sig.slice(at + 1)}`);
    }
    const accepted = spellings.filter((s) => s !== sig && verifyToken(ring, `${kid}.${payload}.${s}`, 'survey', now));
    expect(accepted).toEqual([]);
  });

  it('rejects a survey token used for another purpose', () => {
    expect(verifyToken(ring, token, 'unsubscribe', now)).toBeNull();
  });
});

describe('keyring', () => {
  it('parses the active key and the others', () => {
    expect(parseKeyring('{"activeKid":"a","a":"0123456789abcdef","b":"fedcba9876543210"}')).toEqual({
      activeKid: 'a',
      keys: { a: '0123456789abcdef', b: 'fedcba9876543210' },
    });
  });
  it.each(['{"activeKid":"a"}', '{"activeKid":"a","a":"short"}', '{"a":"0123456789abcdef"}'])('rejects %s', (json) => {
    expect(() => parseKeyring(json)).toThrow(/activeKid/);
  });
});

describe('secretsEqual', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', 'abc', false],
  ])('%s vs %s → %s', (a, b, expected) => {
    expect(secretsEqual(a, b)).toBe(expected);
  });
});

describe('keyring ids', () => {
  it('ignores a key id that could not stand in a token (it has a dot)', () => {
    expect(() => parseKeyring('{"activeKid":"k.1","k.1":"0123456789abcdef"}')).toThrow(/activeKid/);
  });
});
