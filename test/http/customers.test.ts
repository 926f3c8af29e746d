import { describe, expect, it } from 'vitest';
import { storedCustomer, useApi } from '../support/api.ts';
import { expectContractError } from '../support/contract.ts';
import { aCustomer, givenSurvey, uniqueId } from '../support/factories.ts';

const api = useApi();
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const putCustomer = (customerId: string, body: Record<string, unknown>) =>
  api.request('PUT', `/v1/customers/${customerId}`, { admin: true, body });

describe('PUT and GET /v1/customers/{customerId}', () => {
  it('creates a customer and reads it with its responses and emails', async () => {
    const customerId = uniqueId('c');
    const profile = aCustomer();

    const put = await putCustomer(customerId, profile);
    const get = await api.request('GET', `/v1/customers/${customerId}`, { admin: true });

    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      customerId,
      ...profile,
      unsubscribed: false,
      createdAt: expect.stringMatching(ISO),
      updatedAt: put.body.createdAt,
    });
    expect(get.status).toBe(200);
    expect(get.body).toEqual({ customer: put.body, responses: [], emails: [], invitations: [] });
  });

  it('accepts customer ids with every allowed character', async () => {
    const customerId = `${uniqueId('C')}.user_1:crm@acme-eu`;
    const res = await putCustomer(customerId, aCustomer());
    expect(res.status).toBe(200);
    expect(
      (await api.request('GET', `/v1/customers/${encodeURIComponent(customerId)}`, { admin: true })).body.customer.customerId,
    ).toBe(customerId);
  });

  it.each([
    ['MM-DD', '05-17', 'BIRTHDAY#05-17'],
    ['YYYY-MM-DD', '1988-02-29', 'BIRTHDAY#02-29'],
  ])('indexes a %s birthday by its day of the year', async (_form, birthday, gsi1pk) => {
    const customerId = uniqueId('c');
    await putCustomer(customerId, aCustomer({ birthday }));
    const [item] = await storedCustomer(customerId);
    expect(item).toMatchObject({ gsi1pk, gsi1sk: customerId, birthday });
  });

  it('replaces the profile: fields left out are removed, with the birthday index; createdAt stays', async () => {
    const customerId = uniqueId('c');
    const first = await putCustomer(customerId, aCustomer());
    await new Promise((r) => setTimeout(r, 5));

    const second = await putCustomer(customerId, { email: 'new@example.com' });

    expect(second.status).toBe(200);
    expect(second.body).toEqual({
      customerId,
      email: 'new@example.com',
      unsubscribed: false,
      createdAt: first.body.createdAt,
      updatedAt: expect.stringMatching(ISO),
    });
    expect(second.body.updatedAt > first.body.updatedAt).toBe(true);
    const items = await storedCustomer(customerId);
    expect(items).toHaveLength(1);
    expect(items[0]).not.toHaveProperty('gsi1pk');
  });

  it("lists the customer's responses newest first", async () => {
    const surveyId = await givenSurvey(api);
    const customerId = uniqueId('c');
    await putCustomer(customerId, aCustomer());
    const dates = ['2026-01-10T09:00:00Z', '2026-03-02T09:00:00Z', '2026-02-14T09:00:00Z'];
    const ids: Record<string, string> = {};
    for (const submittedAt of dates) {
      const res = await api.request('POST', '/v1/responses', {
        admin: true,
        body: { surveyId, customerId, nps: 8, submittedAt },
      });
      ids[submittedAt] = res.body.responseId;
    }

    const res = await api.request('GET', `/v1/customers/${customerId}`, { admin: true });

    expect(res.body.responses.map((r: { responseId: string }) => r.responseId)).toEqual(
      [...dates]
        .sort()
        .reverse()
        .map((d) => ids[d]),
    );
    expect(res.body.responses[0]).toMatchObject({ surveyId, customerId, nps: 8, submittedAt: '2026-03-02T09:00:00.000Z' });
    expect(res.body.responses[0]).not.toHaveProperty('pk');
  });

  it('answers 404 not_found for a customer that does not exist', async () => {
    expectContractError(await api.request('GET', `/v1/customers/${uniqueId('c')}`, { admin: true }), 404, 'not_found');
  });
});
