import { describe, expect, it } from 'vitest';
import { parseKeyring, verifyToken } from '../../functions/core/tokens.ts';
import { TEST_KEYRING } from '../setup-env.ts';
import { useApi } from '../support/api.ts';
import { expectContractError } from '../support/contract.ts';
import { givenLink, givenSurvey, uniqueId } from '../support/factories.ts';

const api = useApi();
const DAY_MS = 86_400_000;
const ring = parseKeyring(JSON.stringify(TEST_KEYRING));

const postLink = (surveyId: string, body: Record<string, unknown>) =>
  api.request('POST', `/v1/surveys/${surveyId}/links`, { admin: true, body });
const answer = (surveyId: string, token: string) => api.request('POST', '/v1/responses', { body: { surveyId, token, nps: 9 } });

describe('POST /v1/surveys/{surveyId}/links', () => {
  it('answers 201 with a signed token for that survey and customer, and the survey page url', async () => {
    const surveyId = await givenSurvey(api);
    const customerId = uniqueId('c');

    const res = await postLink(surveyId, { customerId });

    expect(res.status).toBe(201);
    expect(res.body.url).toBe(`${api.url}/s/${surveyId}?t=${encodeURIComponent(res.body.token)}`);
    expect(res.body).toMatchObject({ surveyId, customerId });
    expect(verifyToken(ring, res.body.token, 'survey', Date.now())).toMatchObject({ surveyId, customerId });
  });

  it.each([
    ['the default', undefined, 30],
    ['one day', 1, 1],
    ['the maximum', 365, 365],
  ])('expires after %s (%s → %i days)', async (_name, expiresInDays, days) => {
    const surveyId = await givenSurvey(api);
    const before = Date.now();

    const res = await postLink(surveyId, { customerId: uniqueId('c'), expiresInDays });

    expect(res.status).toBe(201);
    const expiresAt = Date.parse(res.body.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + days * DAY_MS - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + days * DAY_MS);
    const exp = verifyToken(ring, res.body.token, 'survey', Date.now())!.exp;
    expect(Math.abs(exp * 1000 - expiresAt)).toBeLessThan(1000);
    expect(verifyToken(ring, res.body.token, 'survey', expiresAt + 1000)).toBeNull();
  });

  it('gives every link its own token', async () => {
    const surveyId = await givenSurvey(api);
    const customerId = uniqueId('c');
    const [a, b] = [await givenLink(api, surveyId, customerId), await givenLink(api, surveyId, customerId)];
    expect(a.token).not.toBe(b.token);
  });

  it('refuses a new link within recontactDays of an answer: 409 recontact_too_soon', async () => {
    const surveyId = await givenSurvey(api, { recontactDays: 30 });
    const { customerId, token } = await givenLink(api, surveyId);
    expect((await answer(surveyId, token)).status).toBe(201);

    expectContractError(await postLink(surveyId, { customerId }), 409, 'recontact_too_soon');
    expect((await postLink(surveyId, { customerId: uniqueId('c') })).status).toBe(201);
  });

  it('gives a new link once the last answer is older than recontactDays', async () => {
    const surveyId = await givenSurvey(api, { recontactDays: 7 });
    const customerId = uniqueId('c');
    const submittedAt = new Date(Date.now() - 8 * DAY_MS).toISOString();
    const imported = await api.request('POST', '/v1/responses', {
      admin: true,
      body: { surveyId, customerId, nps: 6, submittedAt },
    });
    expect(imported.status).toBe(201);

    expect((await postLink(surveyId, { customerId })).status).toBe(201);
  });

  it('counts answers to this survey only, and none when recontactDays is 0', async () => {
    const strict = await givenSurvey(api, { recontactDays: 30 });
    const lenient = await givenSurvey(api);
    const { customerId, token } = await givenLink(api, lenient);
    expect((await answer(lenient, token)).status).toBe(201);

    expect((await postLink(strict, { customerId })).status).toBe(201);
    expect((await postLink(lenient, { customerId })).status).toBe(201);
  });
});
