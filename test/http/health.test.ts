import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api.ts';

const api = useApi();

describe('GET /health', () => {
  it('answers 200 {"status":"ok"} as JSON, without a token', async () => {
    const res = await api.request('GET', '/health');
    expect(res.status).toBe(200);
    expect(res.text).toBe('{"status":"ok"}');
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  });
});
