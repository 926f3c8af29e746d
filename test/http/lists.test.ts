import { describe, expect, it } from 'vitest';
import { unsubscribeCustomer } from '../../functions/data/mail-ledger.ts';
import { table, testDb, useApi } from '../support/api.ts';
import { bearer, givenKey } from '../support/api-keys.ts';
import { expectContractError } from '../support/contract.ts';
import { aSurvey, givenCustomer, givenSurvey, uniqueId } from '../support/factories.ts';

const api = useApi();

describe('GET /v1/surveys', () => {
  it('lists every survey by id, to a read key; an ingest key is refused', async () => {
    const first = await givenSurvey(api, { name: 'First' });
    const second = await givenSurvey(api, { name: 'Second', questions: ['csat'] });
    const read = await givenKey(api, ['read']);

    const res = await api.request('GET', '/v1/surveys', { headers: bearer(read.secret) });

    expect(res.status).toBe(200);
    const ids = res.body.items.map((s: any) => s.surveyId);
    expect(ids).toEqual([...ids].sort());
    const mine = res.body.items.filter((s: any) => s.surveyId === first || s.surveyId === second);
    const stored = await api.request('GET', `/v1/surveys/${second}`, { admin: true });
    expect(mine.find((s: any) => s.surveyId === second)).toEqual(stored.body);
    expect(mine.find((s: any) => s.surveyId === first)).toMatchObject({ ...aSurvey({ name: 'First' }), surveyId: first });
    const ingest = await givenKey(api, ['ingest']);
    expectContractError(await api.request('GET', '/v1/surveys', { headers: bearer(ingest.secret) }), 403, 'forbidden');
  });
});

describe('GET /v1/customers', () => {
  const list = (query: string, headers?: Record<string, string>) =>
    api.request('GET', `/v1/customers${query}`, headers ? { headers } : { admin: true });

  it('finds the customers with an address, exactly, whatever its case, a page at a time', async () => {
    const address = `${uniqueId('Shared')}@Example.com`;
    const ids = [uniqueId('a'), uniqueId('b'), uniqueId('c')].sort();
    await givenCustomer(api, { email: address }, ids[0]);
    await givenCustomer(api, { email: address.toLowerCase() }, ids[1]);
    await givenCustomer(api, { email: address.toUpperCase() }, ids[2]);
    await givenCustomer(api, { email: `x${address}` }); // another address that contains it
    await unsubscribeCustomer({ client: testDb(), table: table() }, ids[1]!, new Date().toISOString());

    const all = await list(`?email=${encodeURIComponent(address.toLowerCase())}`);
    const first = await list(`?email=${encodeURIComponent(address)}&limit=2`);
    const second = await list(`?email=${encodeURIComponent(address)}&limit=2&cursor=${first.body.nextCursor}`);

    expect(all.status).toBe(200);
    expect(all.body.nextCursor).toBeUndefined();
    expect(all.body.items.map((c: any) => c.customerId)).toEqual(ids);
    expect(all.body.items.map((c: any) => c.email)).toEqual([address, address.toLowerCase(), address.toUpperCase()]);
    // One address: unsubscribing it through one customer shows on all of them, as GET /v1/customers/{id} does.
    expect(all.body.items.map((c: any) => c.unsubscribed)).toEqual([true, true, true]);
    expect(all.body.items[0]).toEqual((await api.request('GET', `/v1/customers/${ids[0]}`, { admin: true })).body.customer);
    expect([...first.body.items, ...second.body.items]).toEqual(all.body.items);
    expect(first.body.items).toHaveLength(2);
    expect(second.body.nextCursor).toBeUndefined();
  });

  it("takes an empty value as no value, as in the contract's `?email=&limit=&cursor=` or a first page's `cursor=`", async () => {
    const address = `${uniqueId('blank')}@example.com`;
    await givenCustomer(api, { email: address });
    const surveyId = await givenSurvey(api);
    const reads: Array<[string, string]> = [
      [`/v1/customers?email=${encodeURIComponent(address)}&cursor=`, `/v1/customers?email=${encodeURIComponent(address)}`],
      ['/v1/customers?email=&limit=3&cursor=', '/v1/customers?limit=3'],
      [`/v1/surveys/${surveyId}/responses?from=&to=&limit=100&cursor=`, `/v1/surveys/${surveyId}/responses`],
      [`/v1/surveys/${surveyId}/scores?from=&to=&interval=&by=`, `/v1/surveys/${surveyId}/scores`],
      [`/v1/surveys/${surveyId}/invitations?status=&limit=&cursor=`, `/v1/surveys/${surveyId}/invitations`],
    ];
    for (const [blank, plain] of reads) {
      const withBlanks = await api.request('GET', blank, { admin: true });
      const without = await api.request('GET', plain, { admin: true });
      expect(withBlanks.status, `${blank}: ${withBlanks.text}`).toBe(200);
      expect(withBlanks.body, blank).toEqual(without.body);
    }
  });

  it('follows an address change: the old address no longer finds the customer', async () => {
    const old = `${uniqueId('old')}@example.com`;
    const id = await givenCustomer(api, { email: old });
    await givenCustomer(api, { email: `${uniqueId('new')}@example.com` }, id);

    expect((await list(`?email=${encodeURIComponent(old)}`)).body).toEqual({ items: [] });
  });

  it('lists every customer, page after page, each once', async () => {
    const mine = new Set<string>();
    for (let i = 0; i < 5; i++) mine.add(await givenCustomer(api));
    const seen = new Set<string>();
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await list(`?limit=100${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, res.text).toBe(200);
      for (const c of res.body.items) {
        expect(seen.has(c.customerId), c.customerId).toBe(false);
        seen.add(c.customerId);
      }
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 500);
    for (const id of mine) expect(seen.has(id), id).toBe(true);
  });

  it('pages the whole base as small pages the same as large ones', async () => {
    await givenCustomer(api);
    const walk = async (limit: number, cap: number) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await list(`?limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
        ids.push(...res.body.items.map((c: any) => c.customerId));
        cursor = res.body.nextCursor;
      } while (cursor && ids.length < cap);
      return ids.slice(0, cap);
    };
    const big = await walk(100, 40);
    expect(await walk(7, 40)).toEqual(big);
  });

  it('ends with the last customer: a page that holds it carries no nextCursor, and no page is empty', async () => {
    const address = `${uniqueId('pair')}@example.com`;
    await givenCustomer(api, { email: address });
    await givenCustomer(api, { email: address });
    const pair = await list(`?email=${encodeURIComponent(address)}&limit=2`);
    expect(pair.body.items).toHaveLength(2);
    expect(pair.body.nextCursor).toBeUndefined();

    const everyone = (await list('?limit=100')).body;
    expect(everyone.nextCursor).toBeUndefined(); // this file's own DynamoDB Local holds fewer than 100
    const exact = await list(`?limit=${everyone.items.length}`);
    expect(exact.body.items).toEqual(everyone.items);
    expect(exact.body.nextCursor).toBeUndefined();
    let cursor: string | undefined;
    let seen = 0;
    do {
      const res = await list(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.body.items.length).toBeGreaterThan(0);
      seen += res.body.items.length;
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(seen).toBe(everyone.items.length);
  });

  it('answers a read key, refuses an ingest key', async () => {
    const read = await givenKey(api, ['read']);
    const ingest = await givenKey(api, ['ingest']);
    expect((await list('?limit=1', bearer(read.secret))).status).toBe(200);
    expectContractError(await list('?limit=1', bearer(ingest.secret)), 403, 'forbidden');
  });

  it.each([
    ['?email=not-an-address', 'email'],
    ['?limit=0', 'limit'],
    ['?limit=101', 'limit'],
    ['?cursor=abc', 'cursor'],
    [`?cursor=${Buffer.from(JSON.stringify(['all', 99, ''])).toString('base64url')}`, 'cursor'],
    [`?email=a@example.com&cursor=${Buffer.from(JSON.stringify(['all', 0, ''])).toString('base64url')}`, 'cursor'],
  ])('answers 400 for %s', async (query, path) => {
    expectContractError(await list(query), 400, 'validation_failed', path);
  });
});
