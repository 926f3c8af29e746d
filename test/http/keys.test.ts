import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { secretHash } from '../../functions/core/api-keys.ts';
import { API_KEY_CACHE_TTL_MS } from '../../functions/data/api-keys.ts';
import { keys } from '../../functions/data/keys.ts';
import { getItem, table, testDb, useApi } from '../support/api.ts';
import { bearer, givenKey } from '../support/api-keys.ts';
import { expectContractError } from '../support/contract.ts';
import { aCustomer, givenSurvey, uniqueId } from '../support/factories.ts';

const api = useApi();
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const KEY_ID = /^[0-9A-HJKMNP-TV-Z]{26}$/;

const withKey = (secret: string, method: string, path: string, body?: unknown) =>
  api.request(method, path, { headers: bearer(secret), body });
const storedKey = (keyId: string) => getItem(keys.apiKey(keyId).pk, keys.apiKey(keyId).sk);

describe('POST /v1/keys', () => {
  it('creates a key and shows its secret once: the secret names the key, and only its hash is stored', async () => {
    const res = await api.request('POST', '/v1/keys', { admin: true, body: { name: 'dashboard', scopes: ['read'] } });

    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      keyId: expect.stringMatching(KEY_ID),
      name: 'dashboard',
      scopes: ['read'],
      secret: expect.stringMatching(/^fbk_[0-9A-Z]{26}_[A-Za-z0-9_-]{43}$/),
      createdAt: expect.stringMatching(ISO),
    });
    const { keyId, secret } = res.body as { keyId: string; secret: string };
    expect(secret.startsWith(`fbk_${keyId}_`)).toBe(true);
    const stored = await storedKey(keyId);
    expect(stored).toMatchObject({ keyId, name: 'dashboard', scopes: ['read'], secretHash: secretHash(secret) });
    expect(Object.keys(stored!).sort()).toEqual(['createdAt', 'keyId', 'name', 'pk', 'scopes', 'secretHash', 'sk', 'type']);
    const random = secret.slice(`fbk_${keyId}_`.length);
    expect(JSON.stringify(stored)).not.toContain(random);
  });

  it('lists keys without secrets or their hashes, oldest first', async () => {
    const first = await givenKey(api, ['read']);
    const second = await givenKey(api, ['ingest', 'read'], 'crm sync');

    const res = await api.request('GET', '/v1/keys', { admin: true });

    expect(res.status).toBe(200);
    const ids = (res.body.items as Array<{ keyId: string }>).map((k) => k.keyId);
    expect(ids.indexOf(first.keyId)).toBeLessThan(ids.indexOf(second.keyId));
    expect(res.body.items).toContainEqual({
      keyId: second.keyId,
      name: 'crm sync',
      scopes: ['ingest', 'read'],
      createdAt: expect.stringMatching(ISO),
    });
    expect(res.text).not.toMatch(/secret|fbk_/i);
  });

  // prettier-ignore
  it.each([
    ['an unknown scope', { name: 'x', scopes: ['write'] }, 'scopes.0'],
    ['no scopes', { name: 'x', scopes: [] }, 'scopes'],
    ['a scope twice', { name: 'x', scopes: ['read', 'read'] }, 'scopes'],
    ['scopes that are not a list', { name: 'x', scopes: 'read' }, 'scopes'],
    ['no name', { scopes: ['read'] }, 'name'],
    ['an empty name', { name: '', scopes: ['read'] }, 'name'],
    ['a name with a line break', { name: 'a\nb', scopes: ['read'] }, 'name'],
    ['an unknown field', { name: 'x', scopes: ['read'], secret: 'mine' }, 'secret'],
  ])('refuses %s with 400 and stores nothing', async (_case, body, path) => {
    const before = (await api.request('GET', '/v1/keys', { admin: true })).body.items.length;
    expectContractError(await api.request('POST', '/v1/keys', { admin: true, body }), 400, 'validation_failed', path);
    expect((await api.request('GET', '/v1/keys', { admin: true })).body.items.length).toBe(before);
  });
});

describe('what a key may do', () => {
  it('a read key reads surveys, customers, scores and responses, and may not write', async () => {
    const surveyId = await givenSurvey(api);
    const { secret } = await givenKey(api, ['read']);

    expect((await withKey(secret, 'GET', `/v1/surveys/${surveyId}`)).status).toBe(200);
    expect((await withKey(secret, 'GET', `/v1/surveys/${surveyId}/scores`)).status).toBe(200);
    expect((await withKey(secret, 'GET', `/v1/surveys/${surveyId}/responses`)).status).toBe(200);
    expectContractError(
      await withKey(secret, 'PUT', `/v1/surveys/${surveyId}`, { name: 'x', questions: ['nps'] }),
      403,
      'forbidden',
    );
    expectContractError(await withKey(secret, 'PUT', `/v1/customers/${uniqueId('c')}`, aCustomer()), 403, 'forbidden');
    expectContractError(await withKey(secret, 'POST', '/v1/keys', { name: 'x', scopes: ['admin'] }), 403, 'forbidden');
  });

  it('an ingest key imports customers and history, and may not read them', async () => {
    const surveyId = await givenSurvey(api);
    const customerId = uniqueId('c');
    const { keyId, secret } = await givenKey(api, ['ingest']);

    expect((await withKey(secret, 'PUT', `/v1/customers/${customerId}`, aCustomer())).status).toBe(200);
    const submittedAt = '2026-01-15T10:00:00.000Z';
    const imported = await api.request('POST', '/v1/responses', {
      headers: { ...bearer(secret), 'idempotency-key': 'import-1' },
      body: { surveyId, customerId, nps: 9, submittedAt },
    });
    expect(imported.status).toBe(201);
    expect(imported.body.customerId).toBe(customerId);
    // Its idempotency keys are its own: the admin token's same key is another request.
    expect(await getItem(`IDEMPOTENCY#key:${keyId}#import-1`, '#IDEMPOTENCY')).toBeDefined();

    expectContractError(await withKey(secret, 'GET', `/v1/customers/${customerId}`), 403, 'forbidden');
    const history = await api.request('GET', `/v1/customers/${customerId}`, { admin: true });
    expect(history.body.responses).toEqual([expect.objectContaining({ submittedAt, nps: 9 })]);
  });

  it('a key without the ingest scope may not import through POST /v1/responses', async () => {
    const surveyId = await givenSurvey(api);
    const { secret } = await givenKey(api, ['read']);
    const res = await withKey(secret, 'POST', '/v1/responses', { surveyId, customerId: uniqueId('c'), nps: 9 });
    expectContractError(res, 403, 'forbidden');
  });

  it('an admin key does what the admin token does, keys included', async () => {
    const { secret } = await givenKey(api, ['admin']);
    const created = await withKey(secret, 'POST', '/v1/keys', { name: 'made by a key', scopes: ['read'] });
    expect(created.status).toBe(201);
    expect((await withKey(secret, 'DELETE', `/v1/keys/${created.body.keyId}`)).status).toBe(204);
  });

  it('a wrong secret for a real key id is 401', async () => {
    const { keyId } = await givenKey(api, ['admin']);
    const forged = `fbk_${keyId}_${'A'.repeat(43)}`;
    expectContractError(await withKey(forged, 'GET', '/v1/keys'), 401, 'unauthorized');
  });
});

describe('DELETE /v1/keys/{keyId}', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('revokes: 204, gone from the listing, refused at once by the function that revoked it; a second DELETE is 404', async () => {
    const surveyId = await givenSurvey(api);
    const { keyId, secret } = await givenKey(api, ['read']);
    expect((await withKey(secret, 'GET', `/v1/surveys/${surveyId}`)).status).toBe(200);

    const revoked = await api.request('DELETE', `/v1/keys/${keyId}`, { admin: true });

    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    expectContractError(await withKey(secret, 'GET', `/v1/surveys/${surveyId}`), 401, 'unauthorized');
    expect((await api.request('GET', '/v1/keys', { admin: true })).body.items.map((k: any) => k.keyId)).not.toContain(keyId);
    expect(await storedKey(keyId)).toBeUndefined();
    expectContractError(await api.request('DELETE', `/v1/keys/${keyId}`, { admin: true }), 404, 'not_found');
  });

  it('a key revoked elsewhere is refused within 60 seconds: a container trusts what it read for API_KEY_CACHE_TTL_MS', async () => {
    expect(API_KEY_CACHE_TTL_MS).toBeLessThanOrEqual(60_000);
    const surveyId = await givenSurvey(api);
    const { keyId, secret } = await givenKey(api, ['read']);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now());
    expect((await withKey(secret, 'GET', `/v1/surveys/${surveyId}`)).status).toBe(200); // read and cached here

    // Revoked through another container: this one's cache does not know.
    const key = keys.apiKey(keyId);
    await testDb().send(new DeleteCommand({ TableName: table(), Key: key }));
    expect((await withKey(secret, 'GET', `/v1/surveys/${surveyId}`)).status).toBe(200);
    vi.setSystemTime(Date.now() + API_KEY_CACHE_TTL_MS - 1_000);
    expect((await withKey(secret, 'GET', `/v1/surveys/${surveyId}`)).status).toBe(200);

    vi.setSystemTime(Date.now() + 1_000);
    expectContractError(await withKey(secret, 'GET', `/v1/surveys/${surveyId}`), 401, 'unauthorized');
  });

  it('answers 400 for a malformed keyId and 404 for an unknown one', async () => {
    expectContractError(await api.request('DELETE', '/v1/keys/not-a-key', { admin: true }), 400, 'validation_failed', 'keyId');
    expectContractError(await api.request('DELETE', `/v1/keys/${'0'.repeat(26)}`, { admin: true }), 404, 'not_found');
  });
});
