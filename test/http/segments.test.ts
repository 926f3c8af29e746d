import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { newId } from '../../functions/core/ids.ts';
import type { ResponseInput } from '../../functions/core/schemas.ts';
import { importResponses, surveyLookup } from '../../functions/data/imports.ts';
import { saveResponse } from '../../functions/data/responses.ts';
import { differences, recountScores, storedScores } from '../../functions/data/score-recount.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { storedResponse, table, testDb, useApi } from '../support/api.ts';
import { givenCustomer, givenLink, givenSurvey, uniqueId } from '../support/factories.ts';
import { utcDay } from '../support/days.ts';
import { useScoringStack } from '../support/scoring-stack.ts';

/**
 * The contract's Segments and Change through the real API and the stream scorer: a response counts in the
 * segments of its own attributes laid over its customer's profile as it was when accepted; the rest count under
 * `key: null`; a link's resubmission keeps channel and attributes; verify agrees and rebuild migrates.
 */
const scoring = useScoringStack();
const api = useApi();
const db = () => ({ client: testDb(), table: table() });

/** No answer of this file is older than the day it was loaded; the server stamps them with its "now". */
const FIRST_DAY = utcDay();
/** From the first day to today: every answer so far, even if the run went past 00:00 UTC. */
const scores = (surveyId: string, query: string) =>
  api.request('GET', `/v1/surveys/${surveyId}/scores?from=${FIRST_DAY}&to=${utcDay()}&interval=total${query}`, {
    admin: true,
  });
const answer = (body: Record<string, unknown>, admin = false) => api.request('POST', '/v1/responses', { body, admin });
type Segment = { key: string | null; responses: number };
const rows = (segments: Segment[]) => segments.map((s) => [s.key, s.responses]);
const sum = (segments: Segment[]) => segments.reduce((n, s) => n + s.responses, 0);

async function verify(surveyId: string) {
  const recount = await recountScores(db(), { surveyIds: [surveyId] });
  return { withoutProfile: recount.withoutProfile, diffs: differences(recount.buckets, await storedScores(db(), { surveyId })) };
}

const scoresScript = (...args: string[]) =>
  promisify(execFile)('npx', ['tsx', 'scripts/scores.ts', ...args, '--table', table()], {
    env: { ...process.env, [ENV.dynamodbEndpoint]: process.env[ENV.dynamodbEndpoint] },
  });

describe("segments over the customer's profile", () => {
  it('count a link answer in its customer’s segment, as the profile was then; the rest under null', async () => {
    const surveyId = await givenSurvey(api, { segmentBy: ['plan'] });
    const pro = await givenCustomer(api, { attributes: { plan: 'pro', seats: 10 } });
    const free = await givenCustomer(api, { attributes: { plan: 'free' } });
    const linkPro = await givenLink(api, surveyId, pro);
    const linkFree = await givenLink(api, surveyId, free);
    // The hosted page sends no attributes and no channel.
    expect((await answer({ surveyId, token: linkPro.token, nps: 10 })).status).toBe(201);
    expect((await answer({ surveyId, token: linkFree.token, nps: 3, channel: 'email' })).status).toBe(201);
    // An import naming nobody, without a plan; one naming a customer who has no profile, with its own plan.
    expect((await answer({ surveyId, nps: 8, channel: 'web' }, true)).status).toBe(201);
    expect((await answer({ surveyId, customerId: uniqueId('c'), nps: 9, attributes: { plan: 'trial' } }, true)).status).toBe(201);
    // The profile changes afterwards: the earlier answer stays where it was counted; a new one counts in the new plan.
    expect(
      (
        await api.request('PUT', `/v1/customers/${pro}`, {
          admin: true,
          body: { email: `${pro}@example.com`, attributes: { plan: 'enterprise' } },
        })
      ).status,
    ).toBe(200);
    const again = await givenLink(api, surveyId, pro);
    expect((await answer({ surveyId, token: again.token, nps: 9 })).status).toBe(201);
    await scoring.drained();

    const byPlan = await scores(surveyId, '&by=attr.plan');
    expect(byPlan.status).toBe(200);
    expect(byPlan.body.total.responses).toBe(5);
    expect(rows(byPlan.body.segments)).toEqual([
      ['enterprise', 1],
      ['free', 1],
      ['pro', 1],
      ['trial', 1],
      [null, 1],
    ]);
    expect(sum(byPlan.body.segments)).toBe(byPlan.body.total.responses);
    expect(byPlan.text).toContain('"key":null');

    const byChannel = await scores(surveyId, '&by=channel');
    expect(rows(byChannel.body.segments)).toEqual([
      ['email', 1],
      ['web', 1],
      [null, 3],
    ]);
    expect(byChannel.body.segments.at(-1).nps).toMatchObject({ promoters: 3, detractors: 0, responses: 3 });
    expect(sum(byChannel.body.segments)).toBe(byChannel.body.total.responses);

    // The snapshot is bookkeeping: listings show the response as sent.
    const listed = await api.request('GET', `/v1/surveys/${surveyId}/responses`, { admin: true });
    expect(listed.body.items).toHaveLength(5);
    expect(listed.body.items.some((r: Record<string, unknown>) => 'scoredProfile' in r)).toBe(false);
    expect(await verify(surveyId)).toEqual({ withoutProfile: 0, diffs: [] });
  });

  it("a link's resubmission keeps its channel, attributes and profile unless it gives new ones", async () => {
    const surveyId = await givenSurvey(api, { segmentBy: ['plan', 'region'] });
    const customerId = await givenCustomer(api, { attributes: { plan: 'pro', region: 'eu' } });
    const { token } = await givenLink(api, surveyId, customerId);
    const first = await answer({ surveyId, token, nps: 9, channel: 'email', attributes: { region: 'us' } });
    expect(first.status).toBe(201);
    // Later: the profile moves to another plan, and the customer changes their answer on the same link.
    await api.request('PUT', `/v1/customers/${customerId}`, {
      admin: true,
      body: { email: `${customerId}@example.com`, attributes: { plan: 'free' } },
    });
    expect((await answer({ surveyId, token, nps: 2 })).status).toBe(200);
    await scoring.drained();
    const kept = await storedResponse(first.body.responseId);
    expect(kept).toMatchObject({ nps: 2, channel: 'email', attributes: { region: 'us' } });
    expect(JSON.parse(kept!.scoredProfile as string)).toEqual({ plan: 'pro', region: 'eu' });
    const segmentsBy = async (by: string) => rows((await scores(surveyId, `&by=${by}`)).body.segments);
    expect(await segmentsBy('channel')).toEqual([['email', 1]]);
    expect(await segmentsBy('attr.plan')).toEqual([['pro', 1]]); // the profile as it was at the first answer
    expect(await segmentsBy('attr.region')).toEqual([['us', 1]]); // the response's own value wins
    expect((await scores(surveyId, '&by=attr.plan')).body.segments[0].nps).toMatchObject({ detractors: 1, promoters: 0 });

    // New values given: they replace the old ones, and still win over the profile.
    expect((await answer({ surveyId, token, nps: 6, channel: 'sms', attributes: { plan: 'trial' } })).status).toBe(200);
    await scoring.drained();
    expect(await segmentsBy('channel')).toEqual([['sms', 1]]);
    expect(await segmentsBy('attr.plan')).toEqual([['trial', 1]]);
    expect(await segmentsBy('attr.region')).toEqual([['eu', 1]]); // its own region is no longer given: the profile's
    expect((await scores(surveyId, '')).body.total.responses).toBe(1);
    expect(await verify(surveyId)).toEqual({ withoutProfile: 0, diffs: [] });
  });
});

describe('npm run import -- responses', () => {
  it("counts an imported response in its customer's segment, by the profile as it is at import", async () => {
    const surveyId = await givenSurvey(api, { segmentBy: ['plan'] });
    const customerId = await givenCustomer(api, { attributes: { plan: 'enterprise' } });
    const submittedAt = new Date().toISOString();
    const row = (line: number, input: Record<string, unknown>) => ({
      line,
      responseId: newId(),
      submittedAt,
      input: { surveyId, submittedAt, ...input } as ResponseInput,
    });
    const outcome = await importResponses(
      db(),
      [row(2, { customerId, nps: 10 }), row(3, { customerId: uniqueId('c'), nps: 5 })],
      surveyLookup(db()),
      submittedAt,
    );
    expect(outcome).toMatchObject({ created: 2, bad: [] });
    await scoring.drained();
    expect(rows((await scores(surveyId, '&by=attr.plan')).body.segments)).toEqual([
      ['enterprise', 1],
      [null, 1],
    ]);
    expect(await verify(surveyId)).toEqual({ withoutProfile: 0, diffs: [] });
  });
});

describe('npm run scores -- rebuild', () => {
  it('brings aggregates written under the earlier rule to the profile rule', async () => {
    const surveyId = await givenSurvey(api, { segmentBy: ['plan'] });
    const customerId = await givenCustomer(api, { attributes: { plan: 'pro' } });
    // A link answer stored as before responses carried a profile snapshot; the scorer counts it by its own
    // attributes (none), as it did then.
    const at = new Date().toISOString();
    const responseId = newId();
    await saveResponse(db(), { responseId, surveyId, customerId, nps: 10, submittedAt: at, receivedAt: at, createdAt: at });
    expect((await answer({ surveyId, nps: 4, attributes: { plan: 'free' } }, true)).status).toBe(201);
    await scoring.drained();
    expect(rows((await scores(surveyId, '&by=attr.plan')).body.segments)).toEqual([
      ['free', 1],
      [null, 1],
    ]);
    expect(await verify(surveyId)).toEqual({ withoutProfile: 1, diffs: [] });
    const verified = await scoresScript('verify', '--survey', surveyId).catch((error: { code: number; stderr: string }) => error);
    expect(verified).toMatchObject({ code: 1, stderr: expect.stringMatching(/^1 responses without a profile snapshot/m) });

    const { stderr } = await scoresScript('rebuild', '--survey', surveyId);
    expect(stderr).toMatch(/gave 1 responses their customer's current profile/);
    expect(stderr).toMatch(/0 differences and 0 in an earlier layout now/);
    // The snapshot write is not a submission: the scorer, still running, moved nothing for it.
    await scoring.drained();
    const backfilled = await storedResponse(responseId);
    expect(backfilled).toMatchObject({ version: 1, scoredProfile: '{"plan":"pro"}' });
    const byPlan = await scores(surveyId, '&by=attr.plan');
    expect(rows(byPlan.body.segments)).toEqual([
      ['free', 1],
      ['pro', 1],
    ]);
    expect(await verify(surveyId)).toEqual({ withoutProfile: 0, diffs: [] });
    const { stderr: after } = await scoresScript('verify', '--survey', surveyId);
    expect(after).toMatch(/^0 differences$/m);
  }, 60_000);
});

describe('change in the series', () => {
  it('carries each period’s change against the one before, by the contract’s formulas', async () => {
    const surveyId = await givenSurvey(api);
    // Hand-computed (see test/unit/segments.test.ts): 11-02 against 11-01 is NPS +100 (1.96 SE = 113.2) and CSAT +25
    // (1.96 SE = 64.8), neither significant; 11-03 against 11-02 is NPS −133.3 (1.96 SE = 82.6), significant.
    const answers: Array<[string, number, number?]> = [
      ['2026-11-01', 10, 5],
      ['2026-11-01', 10, 5],
      ['2026-11-01', 0, 1],
      ['2026-11-01', 0, 1],
      ['2026-11-02', 10, 5],
      ['2026-11-02', 10, 5],
      ['2026-11-02', 10, 5],
      ['2026-11-02', 10, 1],
      ['2026-11-03', 10],
      ['2026-11-03', 10],
      ['2026-11-03', 0],
      ['2026-11-03', 0],
      ['2026-11-03', 0],
      ['2026-11-03', 0],
    ];
    for (const [day, nps, csat] of answers) {
      expect((await answer({ surveyId, nps, ...(csat ? { csat } : {}), submittedAt: `${day}T10:00:00Z` }, true)).status).toBe(
        201,
      );
    }
    await scoring.drained();
    const series = await api.request('GET', `/v1/surveys/${surveyId}/scores?from=2026-11-01&to=2026-11-04`, { admin: true });
    expect(series.status).toBe(200);
    expect(series.body.series.map((p: { period: string; change: unknown }) => [p.period, p.change])).toEqual([
      ['2026-11-01', null],
      ['2026-11-02', { nps: { delta: 100, significant: false }, csat: { delta: 25, significant: false } }],
      ['2026-11-03', { nps: { delta: -133.3, significant: true }, csat: null }],
      ['2026-11-04', { nps: null, csat: null }],
    ]);
  });
});
