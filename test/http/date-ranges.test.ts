import { beforeAll, describe, expect, it } from 'vitest';
import { EARLIEST_DATE, MAX_RANGE_DAYS } from '../../functions/core/date-range.ts';
import { addDays } from '../../functions/core/dates.ts';
import { useApiProcess } from '../support/api-process.ts';
import { expectContractError } from '../support/contract.ts';
import { givenSurvey } from '../support/factories.ts';

/**
 * Hostile date ranges (issue 8, hostile traffic 1): `from=9999-12-31&to=9999-12-31` or a lone `to=0000-01-05` made
 * the scores walk days forever, and the whole local API stopped answering. Every refusal must come at once; the
 * API runs in its own process so that a request which never ends fails its test instead of hanging the file.
 */
const LIMIT_MS = 5000; // far below forever, and room for a loaded machine's pauses
const api = useApiProcess();
const today = () => new Date().toISOString().slice(0, 10);
/** A range of `days` days, both ends included, that ends today. */
const endingToday = (days: number) => `from=${addDays(today(), -(days - 1))}&to=${today()}`;
/** Calendar months a range ending today touches (121 or 122 for the longest, by the day of the month). */
const monthsEndingToday = (days: number) => {
  const [from, to] = [addDays(today(), -(days - 1)), today()].map((d) => Number(d.slice(0, 4)) * 12 + Number(d.slice(5, 7)));
  return to! - from! + 1;
};
const thisMonth = () => {
  const first = `${today().slice(0, 7)}-01`;
  return { first, last: addDays(addDays(first, 32).slice(0, 8) + '01', -1) };
};

let surveyId = '';
/** A hostile request gets LIMIT_MS: past that it fails, as a request that never ends would. */
const scores = (query: string) =>
  api.request('GET', `/v1/surveys/${surveyId}/scores?${query}`, { admin: true, timeoutMs: LIMIT_MS });
const listing = (query: string) =>
  api.request('GET', `/v1/surveys/${surveyId}/responses?${query}`, { admin: true, timeoutMs: LIMIT_MS });

// One survey for all, and each function loaded once before anything is timed (a cold start is not the point).
beforeAll(async () => {
  surveyId = await givenSurvey(api, { segmentBy: ['plan'] });
  for (const path of ['scores', 'responses']) {
    expect((await api.request('GET', `/v1/surveys/${surveyId}/${path}`, { admin: true })).status).toBe(200);
  }
});

describe('scores over a hostile range', () => {
  it.each([
    ['the last day of year 9999', 'from=9999-12-31&to=9999-12-31', ['from', 'to']],
    ['a lone to in year 0000', 'to=0000-01-05', ['to']],
    ['a lone from in year 0000', 'from=0000-01-01', ['from']],
    ['a day before the earliest', `from=1999-12-31&to=${EARLIEST_DATE}`, ['from']],
    ['more than a year ahead', `to=${addDays(today(), 400)}`, ['to']],
    ['one day more than the longest range', endingToday(MAX_RANGE_DAYS + 1), ['to']],
    ['a lone from one day too far back', `from=${addDays(today(), -MAX_RANGE_DAYS)}`, ['to']],
    ['from after to', 'from=2026-11-10&to=2026-11-01', ['from']],
    ['by total over the far future', 'from=9999-01-01&to=9999-12-31&interval=total&by=channel', ['from', 'to']],
  ])('%s is 400 at once', { timeout: 10_000 }, async (_, query, paths) => {
    const res = await scores(query);
    expectContractError(res, 400, 'validation_failed');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(paths);
    expect(res.ms).toBeLessThan(LIMIT_MS);
  });

  it.each([
    ['the longest range by day', `${endingToday(MAX_RANGE_DAYS)}&interval=day`, MAX_RANGE_DAYS],
    ['the longest range by week', `${endingToday(MAX_RANGE_DAYS)}&interval=week`, undefined],
    ['the longest range by month', `${endingToday(MAX_RANGE_DAYS)}&interval=month`, monthsEndingToday(MAX_RANGE_DAYS)],
    ['the longest range in total, by channel', `${endingToday(MAX_RANGE_DAYS)}&interval=total&by=channel`, 1],
    ['the earliest day', `from=${EARLIEST_DATE}&to=${EARLIEST_DATE}`, 1],
    ['a lone to on the earliest day (the default 30 days stop there)', `to=${EARLIEST_DATE}`, 1],
    ['today', `from=${today()}&to=${today()}`, 1],
    ['up to tomorrow', `to=${addDays(today(), 1)}`, 30],
    ['this month whole, by month', `from=${thisMonth().first}&to=${thisMonth().last}&interval=month`, 1],
    ['this month whole, by day', `from=${thisMonth().first}&to=${thisMonth().last}`, Number(thisMonth().last.slice(8))],
    ['a year ahead', `from=${today()}&to=${addDays(today(), 366)}&interval=total`, 1],
    ['the defaults', '', 30],
  ])('%s still answers 200', { timeout: 10_000 }, async (_, query, periods) => {
    const res = await scores(query);
    expect(res.status, res.text).toBe(200);
    if (periods !== undefined) expect(res.body.series).toHaveLength(periods);
    expect(res.ms).toBeLessThan(LIMIT_MS);
  });
});

describe('the response listing over a hostile range', () => {
  it.each([
    ['the last day of year 9999', 'from=9999-12-31&to=9999-12-31', ['from', 'to']],
    ['a lone to in year 0000', 'to=0000-01-05', ['to']],
    ['a lone from in year 0000', 'from=0000-01-01', ['from']],
    ['from after to', 'from=2026-11-10&to=2026-11-01', ['from']],
  ])('%s is 400 at once', { timeout: 10_000 }, async (_, query, paths) => {
    const res = await listing(query);
    expectContractError(res, 400, 'validation_failed');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toEqual(paths);
    expect(res.ms).toBeLessThan(LIMIT_MS);
  });

  it('lists everything ever accepted in one range: the earliest day to tomorrow', { timeout: 10_000 }, async () => {
    const surveyId = await givenSurvey(api);
    const customerId = 'c-earliest';
    const first = await api.request('POST', '/v1/responses', {
      admin: true,
      body: { surveyId, customerId, nps: 7, submittedAt: `${EARLIEST_DATE}T00:00:00Z` },
    });
    expect(first.status).toBe(201);
    const res = await api.request('GET', `/v1/surveys/${surveyId}/responses?from=${EARLIEST_DATE}&to=${addDays(today(), 1)}`, {
      admin: true,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.items.map((r: { responseId: string }) => r.responseId)).toEqual([first.body.responseId]);
  });
});
