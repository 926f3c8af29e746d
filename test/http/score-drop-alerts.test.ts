import { describe, expect, it } from 'vitest';
import { comparedPeriods } from '../../functions/core/alerts/score-drop.ts';
import { addDays } from '../../functions/core/dates.ts';
import { dayOf } from '../../functions/core/scores.ts';
import { teamEmails, useAlertsStack } from '../support/alerts-stack.ts';
import { useApi } from '../support/api.ts';
import { asOfToday } from '../support/days.ts';
import { givenSurvey, uniqueId } from '../support/factories.ts';

/**
 * The score-drop alert through the API on its own table (so the check sees only these surveys): responses placed in
 * the last two complete weeks with the admin's `submittedAt`, scored by the stream scorer, checked on demand.
 */

const stack = useAlertsStack({ publicBaseUrl: 'https://feedback.example' });
const api = useApi();

const today = dayOf(Date.now());
const { current, previous } = comparedPeriods(today, 'week');
const run = (body?: unknown) => api.request('POST', '/v1/alerts/score-drop/runs', { admin: true, body });

/** `count` answers of `nps`, spread over a week, alternating channels and plans, commented when `comment` is given. */
function answers(week: { from: string }, nps: number, count: number, comment?: string) {
  return Array.from({ length: count }, (_, i) => ({
    nps,
    channel: i % 2 ? 'web' : 'email',
    attributes: { plan: i % 3 ? 'pro' : 'free' },
    submittedAt: `${addDays(week.from, i % 7)}T10:${String(i % 60).padStart(2, '0')}:00.000Z`,
    ...(comment ? { comment: `${comment} ${i}` } : {}),
  }));
}

async function givenAnswers(surveyId: string, list: Array<Record<string, unknown>>) {
  const queue = [...list];
  // At most 8 requests at a time: the suite's shared DynamoDB Local stays responsive.
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let a = queue.shift(); a; a = queue.shift()) {
        const res = await api.request('POST', '/v1/responses', {
          admin: true,
          body: { surveyId, customerId: uniqueId('c'), ...a },
        });
        if (res.status !== 201) throw new Error(`answer not accepted: ${res.text}`);
      }
    }),
  );
}

describe('the score-drop alert', () => {
  const names = { drop: `Checkout ${uniqueId('n')}`, noise: `Noise ${uniqueId('n')}`, thin: `Thin ${uniqueId('n')}` };
  let dropId = '';

  it('finds a significant fall once, tells the team with scores, margins, segments and comments, and a rerun sends nothing new', async () => {
    dropId = await givenSurvey(api, { name: names.drop, segmentBy: ['plan'] });
    // 40 → −40 on 25 answers each: SE = 23.1, 1.96·SE = 45.3 < 80 (significant), and 25 ≥ minResponses (20).
    await givenAnswers(dropId, [
      ...answers(previous, 10, 15),
      ...answers(previous, 8, 5),
      ...answers(previous, 3, 5),
      ...answers(current, 10, 5),
      ...answers(current, 8, 5),
      ...answers(current, 3, 15, 'too slow'),
    ]);
    // A fall that is noise: 28 → 20 on 25 each.
    const noiseId = await givenSurvey(api, { name: names.noise });
    await givenAnswers(noiseId, [
      ...answers(previous, 10, 12),
      ...answers(previous, 8, 8),
      ...answers(previous, 3, 5),
      ...answers(current, 10, 11),
      ...answers(current, 8, 8),
      ...answers(current, 3, 6, 'meh'),
    ]);
    // A certain fall (100 → −100) on too few answers: 10 < 20.
    const thinId = await givenSurvey(api, { name: names.thin });
    await givenAnswers(thinId, [...answers(previous, 10, 10), ...answers(current, 2, 10, 'bad')]);
    await stack.drained();

    const expected = {
      surveyId: dropId,
      metric: 'nps',
      period: current.period,
      previousPeriod: previous.period,
      score: -40,
      previousScore: 40,
      delta: -80,
    };
    const first = await run({ date: today });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ alerts: [expected] });

    const emails = await teamEmails(names.drop);
    expect(emails).toHaveLength(1);
    const [email] = emails;
    expect(email!.subject).toBe(`Score drop: NPS of ${names.drop} fell -80 points in ${current.period}`);
    const text = email!.body.text!;
    // Both scores with their margins: 1.96 × √(6666.7 / 25) = 32.
    expect(text).toContain(`${previous.period}: 40 ± 32 (25 answers)`);
    expect(text).toContain(`${current.period}: -40 ± 32 (25 answers)`);
    const segmentLines = text.split('Segments that fell most:\n')[1]!.split('\n\n')[0]!.split('\n');
    expect(segmentLines).toHaveLength(3);
    // The three of the four segments (channel email/web, plan pro/free) that fell most, worst first.
    const deltas = segmentLines.map((line) => {
      const match =
        /^- (?:channel = (?:email|web)|attr\.plan = (?:pro|free)): [\d.]+ -> -[\d.]+ \((-[\d.]+); \d+ answers\)$/.exec(line);
      expect(match, line).not.toBeNull();
      return Number(match![1]);
    });
    expect(deltas).toEqual([...deltas].sort((a, b) => a - b));
    expect(text.match(/^- 3: "too slow \d+" \(c-[0-9a-f]+\)$/gm)).toHaveLength(5);
    expect(text).toContain(`https://feedback.example/dashboard?survey=${dropId}`);
    expect(await teamEmails(names.noise)).toHaveLength(0);
    expect(await teamEmails(names.thin)).toHaveLength(0);

    // The schedule runs daily: the same complete week is found again and told no more.
    const second = await run({ date: today });
    expect(second.body).toEqual({ alerts: [expected] });
    // No date: as of the server's today, read around the call (two days if it went past 00:00 UTC). The same answer
    // as a run as of that day: on `today`, the drop above, found again and told no more.
    const around = [dayOf(Date.now())];
    const byDefault = await run();
    around.push(dayOf(Date.now()));
    expect(byDefault.status).toBe(200);
    const asOf = await Promise.all(around.map(async (date) => (await run({ date })).body));
    expect(asOf).toContainEqual(byDefault.body);
    expect(await teamEmails(names.drop)).toHaveLength(1);
  });

  it('compares other periods as of another date: two months back, nothing fell', async () => {
    const res = await run({ date: addDays(today, -60) });
    expect(res).toMatchObject({ status: 200, body: { alerts: [] } });
  });

  it.each([
    ['a malformed date', () => ({ date: '2026-13-01' }), 'date'],
    ['a date after today', (day: string) => ({ date: addDays(day, 1) }), 'date'],
    ['a date before 2000', () => ({ date: '1999-12-31' }), 'date'],
    ['an unknown field', (day: string) => ({ date: day, dryRun: true }), 'dryRun'],
    ['a date that is not a string', () => ({ date: 20261128 }), 'date'],
  ])('refuses %s with 400', async (_, body, path) => {
    // As of the day the server reads: tomorrow is the first date refused.
    await asOfToday(async (day) => {
      const res = await run(body(day));
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('validation_failed');
      expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    });
  });

  it('is for the admin only', async () => {
    expect((await api.request('POST', '/v1/alerts/score-drop/runs', { body: {} })).status).toBe(401);
  });
});
