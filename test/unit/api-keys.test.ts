import { describe, expect, it } from 'vitest';
import {
  grants,
  KEY_ID,
  keyBody,
  keyIdOf,
  newKeySecret,
  secretHash,
  secretMatches,
  SCOPES,
} from '../../functions/core/api-keys.ts';
import { publicHttpHandler } from '../../functions/runtime/http.ts';

describe('API key secrets', () => {
  it('embed their key id, carry 256 random bits, and differ every time', () => {
    const a = newKeySecret();
    const b = newKeySecret();
    expect(a.keyId).toMatch(KEY_ID);
    expect(a.secret).toMatch(new RegExp(`^fbk_${a.keyId}_[A-Za-z0-9_-]{43}$`));
    expect(Buffer.from(a.secret.split('_').slice(2).join('_'), 'base64url')).toHaveLength(32);
    expect(keyIdOf(a.secret)).toBe(a.keyId);
    expect(a.secret).not.toBe(b.secret);
  });

  it('name a key id only when shaped like a key (anything else is not looked up)', () => {
    const { keyId, secret } = newKeySecret();
    expect(keyIdOf(secret)).toBe(keyId);
    for (const other of [
      'test-admin-token',
      `fbk_${keyId}`,
      `fbk_${keyId}_short`,
      `fbk_${keyId.toLowerCase()}_${'a'.repeat(43)}`,
      `${secret}x`,
    ])
      expect(keyIdOf(other), other).toBeUndefined();
  });

  it('are checked against the stored SHA-256 only', () => {
    const { secret } = newKeySecret();
    const stored = secretHash(secret);
    expect(stored).toMatch(/^[0-9a-f]{64}$/);
    expect(stored).not.toContain(secret.slice(-43));
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(`${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`, stored)).toBe(false);
    expect(secretMatches(secret, 'not-hex')).toBe(false);
  });
});

describe('scopes', () => {
  // prettier-ignore
  it.each([
    [['admin'], 'admin', true], [['admin'], 'read', true], [['admin'], 'ingest', true],
    [['read'], 'read', true], [['read'], 'ingest', false], [['read'], 'admin', false],
    [['ingest'], 'ingest', true], [['ingest'], 'read', false], [['ingest'], 'admin', false],
    [['read', 'ingest'], 'ingest', true], [['read', 'ingest'], 'admin', false],
  ] as const)('%j may call a route that needs %s: %s', (held, needed, allowed) => {
    expect(grants(held, needed)).toBe(allowed);
  });

  it('are the three the contract names, each given once, at least one', () => {
    expect(SCOPES).toEqual(['admin', 'read', 'ingest']);
    expect(keyBody.safeParse({ name: 'x', scopes: ['read', 'ingest'] }).success).toBe(true);
    for (const scopes of [[], ['write'], ['read', 'read'], ['ADMIN']])
      expect(keyBody.safeParse({ name: 'x', scopes }).success).toBe(false);
  });
});

describe('publicHttpHandler', () => {
  it('refuses a route that needs a credential: it cannot check one', () => {
    const route = (auth: 'read' | 'public') => ({ auth, summary: 's', responses: { 200: { description: 'ok' } }, errors: [] });
    expect(() => publicHttpHandler({ 'GET /a': route('read') }, { 'GET /a': { handle: async () => ({ status: 200 }) } })).toThrow(
      /public routes only, not GET \/a/,
    );
    expect(() =>
      publicHttpHandler({ 'GET /a': route('public') }, { 'GET /a': { handle: async () => ({ status: 200 }) } }),
    ).not.toThrow();
  });
});
