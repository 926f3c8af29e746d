import { describe, expect, it } from 'vitest';
import { getItem, useApi } from '../support/api.ts';
import { expectContractError } from '../support/contract.ts';
import { aCustomer, givenSurvey, uniqueId } from '../support/factories.ts';

/** Hostile traffic found by the security pass (issue 8): each case failed before its fix. */
const api = useApi();

/** Every name Object.prototype carries, and the ones that look like it. */
const PROTOTYPE_NAMES = [...Object.getOwnPropertyNames(Object.prototype).filter((n) => n !== '__proto__'), 'prototype'];

describe('attribute names that Object.prototype carries', () => {
  it.each(PROTOTYPE_NAMES)('%s as a customer attribute is stored and read back', async (name) => {
    const customerId = uniqueId('c');
    const put = await api.request('PUT', `/v1/customers/${customerId}`, {
      admin: true,
      body: aCustomer({ attributes: { [name]: 'x' } }),
    });
    expect(put.status).toBe(200);
    const got = await api.request('GET', `/v1/customers/${customerId}`, { admin: true });
    expect(got.status).toBe(200);
    expect(Object.hasOwn(got.body.customer.attributes, name) && got.body.customer.attributes[name]).toBe('x');
  });

  it.each(PROTOTYPE_NAMES)('%s as a response attribute and segment is accepted and scored', async (name) => {
    const surveyId = await givenSurvey(api, { anonymous: true, segmentBy: [name] });
    const res = await api.request('POST', '/v1/responses', { body: { surveyId, nps: 9, attributes: { [name]: 'x' } } });
    expect(res.status).toBe(201);
    const stored = await getItem(`RESPONSE#${res.body.responseId}`, '#RESPONSE');
    expect(stored?.attributes).toEqual({ [name]: 'x' });
  });
});

describe('submittedAt that no listing could show', () => {
  it.each(['0000-01-05T00:00:00Z', '1970-01-01T00:00:00Z', '1999-12-31T23:59:59.999Z'])(
    '%s is 400 and stores nothing',
    async (submittedAt) => {
      const surveyId = await givenSurvey(api);
      const customerId = uniqueId('c');
      const res = await api.request('POST', '/v1/responses', {
        admin: true,
        body: { surveyId, customerId, nps: 7, submittedAt },
      });
      expectContractError(res, 400, 'validation_failed', 'submittedAt');
      const list = await api.request('GET', `/v1/surveys/${surveyId}/responses?from=2000-01-01`, { admin: true });
      expect(list.body.items).toEqual([]);
    },
  );

  it('accepts the first listable instant', async () => {
    const surveyId = await givenSurvey(api);
    const res = await api.request('POST', '/v1/responses', {
      admin: true,
      body: { surveyId, customerId: uniqueId('c'), nps: 7, submittedAt: '2000-01-01T00:00:00Z' },
    });
    expect(res.status).toBe(201);
  });
});

describe('names that would reach email headers', () => {
  it.each([
    ['CR LF', 'Ayşe\r\nBcc: victim@example.com'],
    ['LF', 'Ayşe\nX'],
    ['NUL', 'Ay\u0000şe'],
    ['a right-to-left override', 'Ayşe\u202Egnp.exe'],
    ['a bidi isolate', '\u2066Ayşe\u2069'],
    ['DEL', 'Ay\u007fşe'],
  ])('a customer name with %s is 400 and stores nothing', async (_what, name) => {
    const customerId = uniqueId('c');
    const res = await api.request('PUT', `/v1/customers/${customerId}`, { admin: true, body: aCustomer({ name }) });
    expectContractError(res, 400, 'validation_failed', 'name');
    expect(await getItem(`CUSTOMER#${customerId}`, '#CUSTOMER')).toBeUndefined();
  });

  it('a survey name with a line break is 400', async () => {
    const res = await api.request('PUT', `/v1/surveys/${uniqueId('s')}`, {
      admin: true,
      body: { name: 'A\r\nB', questions: ['nps'] },
    });
    expectContractError(res, 400, 'validation_failed', 'name');
  });

  it('keeps names in any script', async () => {
    for (const name of ['Ayşe Yılmaz', 'Јован Јовановић', 'Mari-Liis Tamm', 'محمد', '山田 太郎']) {
      const res = await api.request('PUT', `/v1/customers/${uniqueId('c')}`, { admin: true, body: aCustomer({ name }) });
      expect(res.status).toBe(200);
    }
  });
});
