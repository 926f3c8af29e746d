import { describe, expect, it } from 'vitest';
import { TEST_ADMIN_TOKEN } from '../setup-env.ts';
import { storedSurvey, useApi } from '../support/api.ts';
import { expectContractError } from '../support/contract.ts';
import { aSurvey, uniqueId } from '../support/factories.ts';

const api = useApi();
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

describe('PUT and GET /v1/surveys/{surveyId}', () => {
  it('creates a survey with the defaults and reads it back', async () => {
    const surveyId = uniqueId('s');

    const put = await api.request('PUT', `/v1/surveys/${surveyId}`, {
      admin: true,
      body: aSurvey({ questions: ['nps', 'comment'] }),
    });
    const get = await api.request('GET', `/v1/surveys/${surveyId}`, { admin: true });

    expect(put.status).toBe(200);
    expect(put.body).toEqual({
      surveyId,
      name: 'Onboarding',
      questions: ['nps', 'comment'],
      anonymous: false,
      recontactDays: 0,
      segmentBy: [],
      createdAt: expect.stringMatching(ISO),
      updatedAt: put.body.createdAt,
    });
    expect(get.status).toBe(200);
    expect(get.body).toEqual(put.body);
    expect(await storedSurvey(surveyId)).toHaveLength(1);
  });

  it('replaces every field on a second PUT but keeps createdAt', async () => {
    const surveyId = uniqueId('s');
    const first = await api.request('PUT', `/v1/surveys/${surveyId}`, {
      admin: true,
      body: aSurvey({ anonymous: true, recontactDays: 30, segmentBy: ['plan', 'region'] }),
    });
    await new Promise((r) => setTimeout(r, 5));

    const second = await api.request('PUT', `/v1/surveys/${surveyId}`, {
      admin: true,
      body: { name: 'Renamed', questions: ['csat'] },
    });

    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      name: 'Renamed',
      questions: ['csat'],
      anonymous: false,
      recontactDays: 0,
      segmentBy: [],
    });
    expect(second.body.createdAt).toBe(first.body.createdAt);
    expect(second.body.updatedAt > first.body.updatedAt).toBe(true);
    expect((await api.request('GET', `/v1/surveys/${surveyId}`, { admin: true })).body).toEqual(second.body);
    expect(await storedSurvey(surveyId)).toHaveLength(1);
  });

  it('answers 404 not_found for a survey that does not exist', async () => {
    expectContractError(await api.request('GET', `/v1/surveys/${uniqueId('s')}`, { admin: true }), 404, 'not_found');
  });

  it.each(['Bearer', 'bearer', 'BEARER'])('accepts the admin token with the scheme written "%s" (RFC 9110)', async (scheme) => {
    const surveyId = uniqueId('s');
    const res = await api.request('PUT', `/v1/surveys/${surveyId}`, {
      body: aSurvey(),
      headers: { authorization: `${scheme} ${TEST_ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
  });
});
