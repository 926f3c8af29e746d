import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api.ts';
import { givenLink, givenSurvey } from '../support/factories.ts';

/** One link answered several times at once: the losers re-read and replace, under the data toolkit's retry policy. */
const api = useApi();

describe('concurrent answers to one link', () => {
  it('all succeed, one creates the response and the others replace it: one response stored', async () => {
    const surveyId = await givenSurvey(api);
    const { token } = await givenLink(api, surveyId);

    const replies = await Promise.all(
      [6, 7, 8, 9].map((nps) => api.request('POST', '/v1/responses', { body: { surveyId, token, nps } })),
    );

    expect(replies.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(new Set(replies.map((r) => r.body.responseId)).size).toBe(1);
    const listed = await api.request('GET', `/v1/surveys/${surveyId}/responses`, { admin: true });
    expect(listed.body.items).toHaveLength(1);
  });
});
