import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi } from '../../lib/local/http-server.ts';

/** What the local server must do as API Gateway does: bytes it cannot read as text, and CORS for the widget. */
const SHOP = 'https://shop.example';
let api: { url: string; stop(): Promise<void> };
beforeAll(async () => {
  api = await startApi({ port: 0, allowedOrigins: [SHOP] });
});
afterAll(async () => api.stop());

const preflight = (origin: string, method = 'POST') =>
  fetch(`${api.url}/v1/responses`, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': method, 'access-control-request-headers': 'content-type' },
  });

describe('invalid UTF-8', () => {
  it('reaches the handler as bytes and gets a 400, not U+FFFD stored', async () => {
    const body = Buffer.concat([
      Buffer.from('{"surveyId":"s-1","nps":9,"comment":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}'),
    ]);
    const res = await fetch(`${api.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: { code: 'validation_failed', message: 'The body is not valid UTF-8.' } });
  });
});

describe('cross-origin submissions (config allowedOrigins)', () => {
  it('answers a preflight from an allowed origin with the policy', async () => {
    const res = await preflight(SHOP);
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(res.headers.get('access-control-allow-methods')).toBe('POST');
    expect(res.headers.get('access-control-allow-headers')).toBe('content-type,idempotency-key');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it.each([['https://evil.example'], ['https://shop.example.evil.example'], ['http://shop.example']])(
    'gives %s no grant',
    async (origin) => {
      const res = await preflight(origin);
      expect(res.status).toBe(204);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
    },
  );

  it('offers only POST', async () => {
    const res = await preflight(SHOP, 'PUT');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('lets an allowed origin read the answer, and no other', async () => {
    const post = (origin: string) =>
      fetch(`${api.url}/v1/responses`, { method: 'POST', headers: { origin, 'content-type': 'application/json' }, body: '{}' });
    const allowed = await post(SHOP);
    expect(allowed.status).toBe(400);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(SHOP);
    expect(allowed.headers.get('vary')).toMatch(/origin/i);
    const other = await post('https://evil.example');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('what the server answers itself, in the contract shape', () => {
  it('reads a body over 10 MiB to its end and answers 413 payload_too_large', async () => {
    const body = Buffer.alloc(11 * 1024 * 1024, 'x');
    const res = await fetch(`${api.url}/v1/responses`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });

  it('lets a 20,000-character query reach the route (401 without a credential), and answers 431 past 64 KiB', async () => {
    const long = await fetch(`${api.url}/v1/customers?cursor=${'c'.repeat(20_000)}`);
    expect(long.status).toBe(401);
    expect(await long.json()).toMatchObject({ error: { code: 'unauthorized' } });

    const huge = await fetch(`${api.url}/v1/customers?cursor=${'c'.repeat(70_000)}`);
    expect(huge.status).toBe(431);
    expect(await huge.json()).toMatchObject({ error: { code: 'payload_too_large' } });
  });
});
