import { randomBytes } from 'node:crypto';

/** Unique ids keep test files independent on the one shared table. */
export const uniqueId = (prefix: string) => `${prefix}-${randomBytes(5).toString('hex')}`;

export const aSurvey = (overrides: Record<string, unknown> = {}) => ({
  name: 'Onboarding',
  questions: ['nps', 'csat', 'ces', 'comment'],
  ...overrides,
});

export const aCustomer = (overrides: Record<string, unknown> = {}) => ({
  email: `${uniqueId('user')}@example.com`,
  name: 'Ayşe Yılmaz',
  locale: 'tr',
  timezone: 'Europe/Istanbul',
  birthday: '05-17',
  attributes: { plan: 'pro' },
  ...overrides,
});

type Api = { request: (m: string, p: string, o?: any) => Promise<{ status: number; body: any }> };

/** Given steps shared by tests: a survey, a customer, a link. */
export async function givenSurvey(api: Api, overrides: Record<string, unknown> = {}) {
  const surveyId = uniqueId('s');
  const res = await api.request('PUT', `/v1/surveys/${surveyId}`, { admin: true, body: aSurvey(overrides) });
  if (res.status !== 200) throw new Error(`survey setup failed: ${JSON.stringify(res.body)}`);
  return surveyId;
}

export async function givenLink(api: Api, surveyId: string, customerId = uniqueId('c')) {
  const res = await api.request('POST', `/v1/surveys/${surveyId}/links`, { admin: true, body: { customerId } });
  if (res.status !== 201) throw new Error(`link setup failed: ${JSON.stringify(res.body)}`);
  return { customerId, token: res.body.token as string, url: res.body.url as string };
}

export async function givenCustomer(api: Api, overrides: Record<string, unknown> = {}, customerId = uniqueId('c')) {
  const res = await api.request('PUT', `/v1/customers/${customerId}`, { admin: true, body: aCustomer(overrides) });
  if (res.status !== 200) throw new Error(`customer setup failed: ${JSON.stringify(res.body)}`);
  return customerId;
}
