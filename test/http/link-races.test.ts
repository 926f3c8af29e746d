import { describe, expect, it } from 'vitest';
import { responsePartition, useApi } from '../support/api.ts';
import { givenLink, givenSurvey, uniqueId } from '../support/factories.ts';
import { useScoringStack } from '../support/scoring-stack.ts';

/**
 * One link answered many times at once. Every submission is accepted (the first creates the response, the others
 * replace it: last writer wins), one response is stored, its version counts every write, and once the stream is
 * drained the scores are those of the stored answers alone.
 */
const scoring = useScoringStack();
const api = useApi();

const SUBMISSIONS = 50;
const CHANNELS = ['email', 'web', 'sms'];
const submission = (n: number) => ({ nps: n % 11, csat: (n % 5) + 1, channel: CHANNELS[n % 3]!, comment: `answer ${n}` });

async function race(keyed: boolean) {
  const surveyId = await givenSurvey(api);
  const { token } = await givenLink(api, surveyId);
  const sent = Array.from({ length: SUBMISSIONS }, (_, n) => submission(n));
  const replies = await Promise.all(
    sent.map((answers) =>
      api.request('POST', '/v1/responses', {
        body: { surveyId, token, ...answers },
        ...(keyed ? { headers: { 'idempotency-key': uniqueId('key') } } : {}),
      }),
    ),
  );
  return { surveyId, sent, replies };
}

async function expectOneExactResponse({ surveyId, sent, replies }: Awaited<ReturnType<typeof race>>) {
  const statuses = replies.map((r) => r.status);
  expect(statuses.filter((s) => s === 201)).toHaveLength(1);
  expect(statuses.filter((s) => s === 200)).toHaveLength(SUBMISSIONS - 1);
  for (const reply of replies.filter((r) => r.status === 200)) expect(reply.body.updated).toBe(true);
  const responseIds = new Set(replies.map((r) => r.body.responseId));
  expect(responseIds.size).toBe(1);

  const stored = await responsePartition([...responseIds][0]);
  expect(stored).toHaveLength(1);
  const response = stored[0]!;
  expect(response.version).toBe(SUBMISSIONS);
  const { nps, csat, channel, comment } = response;
  expect(sent).toContainEqual({ nps, csat, channel, comment }); // one submission's answers, whole

  await scoring.drained();
  const scores = await api.request('GET', `/v1/surveys/${surveyId}/scores?interval=total&by=channel`, { admin: true });
  expect(scores.status).toBe(200);
  const { total, segments } = scores.body;
  expect(total.responses).toBe(1);
  expect(total.nps).toMatchObject({
    responses: 1,
    promoters: nps >= 9 ? 1 : 0,
    passives: nps === 7 || nps === 8 ? 1 : 0,
    detractors: nps <= 6 ? 1 : 0,
  });
  expect(total.csat.distribution).toEqual(Object.fromEntries([1, 2, 3, 4, 5].map((v) => [String(v), v === csat ? 1 : 0])));
  expect(segments.filter((s: { responses: number }) => s.responses > 0)).toEqual([
    expect.objectContaining({ key: channel, responses: 1 }),
  ]);
}

describe(`${SUBMISSIONS} concurrent answers to one link`, () => {
  it('are all accepted, one creating and the others replacing the one response, and the scores count it once', async () => {
    await expectOneExactResponse(await race(false));
  });

  it('hold with an Idempotency-Key on each: every key completes with its own answer', async () => {
    const outcome = await race(true);
    await expectOneExactResponse(outcome);
  });
});
