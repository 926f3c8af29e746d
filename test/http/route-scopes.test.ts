import { beforeAll, describe, expect, it } from 'vitest';
import { grants, type Scope } from '../../functions/core/api-keys.ts';
import { scopeOf, type Auth } from '../../functions/runtime/routes.ts';
import { declaredRoutes } from '../../scripts/openapi.ts';
import { TEST_ADMIN_TOKEN } from '../setup-env.ts';
import { useApi, type Reply } from '../support/api.ts';
import { bearer, givenKey } from '../support/api-keys.ts';
import { expectContractError } from '../support/contract.ts';

/**
 * Every declared route × every kind of credential → the status the route's declared auth and the contract say.
 * The routes come from the declarations (functions/<capability>/routes.ts, as the manifest serves them), so a new
 * route is covered the day it is declared. Requests name things that do not exist and send a body no schema
 * accepts, so a request that gets past auth is refused by the route itself and changes nothing.
 */
const api = useApi();
const routes = await declaredRoutes();

type Credential = 'none' | 'admin token' | 'admin key' | 'read key' | 'ingest key' | 'revoked key' | 'wrong secret' | 'malformed';
const CREDENTIALS: Credential[] = [
  'none',
  'admin token',
  'admin key',
  'read key',
  'ingest key',
  'revoked key',
  'wrong secret',
  'malformed',
];
const KEY_SCOPES: Partial<Record<Credential, Scope[]>> = {
  'admin key': ['admin'],
  'read key': ['read'],
  'ingest key': ['ingest'],
};

const headers: Partial<Record<Credential, Record<string, string>>> = {};
beforeAll(async () => {
  headers['admin token'] = bearer(TEST_ADMIN_TOKEN);
  for (const [credential, scopes] of Object.entries(KEY_SCOPES))
    headers[credential as Credential] = bearer((await givenKey(api, scopes)).secret);
  const revoked = await givenKey(api, ['admin']);
  expect((await api.request('DELETE', `/v1/keys/${revoked.keyId}`, { admin: true })).status).toBe(204);
  headers['revoked key'] = bearer(revoked.secret);
  const real = await givenKey(api, ['admin']);
  headers['wrong secret'] = bearer(`fbk_${real.keyId}_${'x'.repeat(43)}`);
  headers['malformed'] = bearer(`fbk_${real.keyId}`);
});

/** Path parameters that name nothing (a keyId must still be well-formed to reach the route). */
const placeholder = (name: string) => (name === 'keyId' ? '0'.repeat(26) : `no-such-${name.toLowerCase()}`);

function request(routeKey: string, credential: Credential): Promise<Reply> {
  const [method, template] = routeKey.split(' ') as [string, string];
  const path = template.replace(/\{(\w+)\+?\}/g, (_, name: string) => placeholder(name));
  const body = method === 'GET' || method === 'DELETE' ? undefined : '[]';
  return api.request(method, path, { body, headers: headers[credential] });
}

/** What auth alone decides: `passes` (the route answers as it does to the admin token), or a refusal. */
function expected(auth: Auth, credential: Credential): 'passes' | 401 | 403 {
  const needed = scopeOf(auth);
  if (needed === undefined) return 'passes'; // public: an Authorization header is ignored
  if (credential === 'none') return typeof auth === 'object' ? 'passes' : 401;
  if (credential === 'admin token') return 'passes';
  const scopes = KEY_SCOPES[credential];
  if (!scopes) return 401; // revoked, wrong secret, malformed
  return grants(scopes, needed) ? 'passes' : 403;
}

describe.each(routes.map(({ routeKey, spec }) => [routeKey, spec.auth] as const))('%s (auth %j)', (routeKey, auth) => {
  let asAdmin: Reply;
  beforeAll(async () => {
    asAdmin = await request(routeKey, 'admin token');
  });

  it('gets past auth with the admin token', () => {
    if (scopeOf(auth) !== undefined) expect([401, 403], asAdmin.text).not.toContain(asAdmin.status);
  });

  it.each(CREDENTIALS)('with %s', async (credential) => {
    const res = await request(routeKey, credential);
    const outcome = expected(auth, credential);
    if (outcome === 401) expectContractError(res, 401, 'unauthorized');
    else if (outcome === 403) expectContractError(res, 403, 'forbidden');
    else
      expect({ status: res.status, code: res.body?.error?.code }).toEqual({
        status: asAdmin.status,
        code: asAdmin.body?.error?.code,
      });
  });
});

describe('the table above', () => {
  it('covers routes of every kind of auth', () => {
    const kinds = new Set(routes.map(({ spec }) => JSON.stringify(spec.auth)));
    for (const kind of ['"admin"', '"read"', '"ingest"', '{"optional":"ingest"}', '"public"']) expect(kinds).toContain(kind);
  });
});
