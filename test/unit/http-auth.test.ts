import { afterEach, describe, expect, it } from 'vitest';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { httpHandler } from '../../functions/runtime/http.ts';
import type { Auth } from '../../functions/runtime/routes.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { TEST_ADMIN_TOKEN } from '../test-env.ts';

const event = (authorization?: string): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'GET /probe',
    rawPath: '/probe',
    rawQueryString: '',
    headers: authorization ? { authorization } : {},
    requestContext: { domainName: 'api.example', http: { method: 'GET', path: '/probe' } },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

const context = { getRemainingTimeInMillis: () => 10_000, functionName: 'probe', awsRequestId: 'r' } as unknown as Context;

async function call(auth: Auth, authorization?: string) {
  const handler = httpHandler(
    { 'GET /probe': { auth, summary: 'Probe', responses: { 200: { description: 'ok' } }, errors: [] } },
    { 'GET /probe': { handle: async (req) => ({ status: 200, body: { caller: req.caller ?? null } }) } },
  );
  const res = await handler(event(authorization), context);
  return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
}

describe('route auth', () => {
  const saved = process.env[ENV.adminToken];
  afterEach(() => {
    process.env[ENV.adminToken] = saved;
  });

  it.each([
    ['admin', undefined, 401],
    ['admin', 'Bearer wrong-token', 401],
    ['admin', `Bearer ${TEST_ADMIN_TOKEN}`, 200],
    ['admin', `bearer ${TEST_ADMIN_TOKEN}`, 200],
    ['read', undefined, 401],
    ['read', `Bearer ${TEST_ADMIN_TOKEN}`, 200],
    [{ optional: 'ingest' }, undefined, 200],
    [{ optional: 'ingest' }, 'Bearer wrong-token', 401],
    [{ optional: 'ingest' }, 'Basic dXNlcjpwYXNz', 401],
    [{ optional: 'ingest' }, `Bearer ${TEST_ADMIN_TOKEN}`, 200],
    ['public', 'Bearer anything', 200],
  ] as const)('%j route with %s → %i', async (auth, header, status) => {
    const res = await call(auth, header);
    expect(res.status).toBe(status);
    if (status === 401) expect(res.body.error.code).toBe('unauthorized');
  });

  it('tells the handler who is calling', async () => {
    expect((await call({ optional: 'ingest' }, `Bearer ${TEST_ADMIN_TOKEN}`)).body).toEqual({ caller: { kind: 'adminToken' } });
    expect((await call({ optional: 'ingest' })).body).toEqual({ caller: null });
  });

  it('never reads the admin token on public routes: deployed, their functions cannot', async () => {
    delete process.env[ENV.adminToken];
    const res = await call('public', 'Bearer anything');
    expect(res).toEqual({ status: 200, body: { caller: null } });
  });
});
