import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page, Request } from 'playwright-core';
import { latestDate } from '../../functions/core/date-range.ts';
import { asOfToday } from '../support/days.ts';
import { givenSurvey } from '../support/factories.ts';
import { useApi } from '../support/api.ts';
import { useBrowser } from '../support/browser.ts';
import { TEST_ADMIN_TOKEN } from '../setup-env.ts';

const api = useApi();
const browser = useBrowser();
mkdirSync('tmp', { recursive: true });

// ---- contract-shaped fixtures (CONTRACT.md, "Scores" and "Responses") ----
const nps = (promoters: number, passives: number, detractors: number) => {
  const n = promoters + passives + detractors;
  return {
    score: Math.round((1000 * (promoters - detractors)) / n) / 10,
    promoters,
    passives,
    detractors,
    responses: n,
    marginOfError95: n < 2 ? null : 12.3,
  };
};
const csat = (counts: [number, number, number, number, number]) => {
  const n = counts.reduce((a, b) => a + b, 0);
  const sum = counts.reduce((a, c, i) => a + c * (i + 1), 0);
  return {
    score: Math.round((1000 * (counts[3] + counts[4])) / n) / 10,
    average: Math.round((100 * sum) / n) / 100,
    responses: n,
    distribution: Object.fromEntries(counts.map((c, i) => [String(i + 1), c])),
  };
};
const ces = { average: 5.4, responses: 10, distribution: { '1': 0, '2': 1, '3': 0, '4': 1, '5': 3, '6': 3, '7': 2 } };
const empty = { responses: 0, nps: null, csat: null, ces: null };

function scoresFixture(surveyId: string) {
  return {
    surveyId,
    from: '2026-11-01',
    to: '2026-11-05',
    interval: 'day',
    total: {
      responses: 20,
      nps: nps(10, 4, 6),
      csat: csat([1, 1, 2, 6, 10]),
      ces,
      invitations: { sent: 40, answered: 18, responseRate: 45 },
    },
    series: [
      { period: '2026-11-01', responses: 6, nps: nps(3, 1, 2), csat: csat([0, 1, 1, 2, 2]), ces: null },
      { period: '2026-11-02', responses: 5, nps: nps(2, 2, 1), csat: csat([1, 0, 0, 2, 2]), ces: null },
      { period: '2026-11-03', ...empty },
      { period: '2026-11-04', responses: 4, nps: nps(2, 0, 2), csat: csat([0, 0, 1, 1, 2]), ces: null },
      { period: '2026-11-05', responses: 5, nps: nps(3, 1, 1), csat: csat([0, 0, 0, 1, 4]), ces },
    ],
    segments: [
      { key: 'email', responses: 14, nps: nps(8, 2, 4), csat: csat([1, 0, 1, 4, 8]), ces: null },
      { key: 'web', responses: 6, nps: nps(2, 2, 2), csat: null, ces },
    ],
  };
}

const response = (i: number, fields: Record<string, unknown>) => ({
  responseId: `R${i}`,
  surveyId: 'x',
  customerId: `c-${i}`,
  channel: 'email',
  submittedAt: `2026-11-0${i}T10:0${i}:00.000Z`,
  ...fields,
});

const emptyScores = (surveyId: string) => ({
  surveyId,
  from: '2026-11-01',
  to: '2026-11-03',
  interval: 'day',
  total: { ...empty, invitations: { sent: 0, answered: 0, responseRate: null } },
  series: ['2026-11-01', '2026-11-02', '2026-11-03'].map((period) => ({ period, ...empty })),
  segments: [],
});

interface FakeApi {
  scores: unknown;
  /** Pages of responses by cursor ('' for the first). */
  responses: Record<string, unknown>;
}

/** Stands in for the scores and responses endpoints with contract-shaped JSON; everything else is the real API. */
async function fakeReadApi(page: Page, fake: FakeApi) {
  const seen: Request[] = [];
  await page.route(
    (url) => /\/v1\/surveys\/[^/]+\/(scores|responses)$/.test(url.pathname),
    async (route) => {
      const req = route.request();
      seen.push(req);
      if (req.headers().authorization !== `Bearer ${TEST_ADMIN_TOKEN}`) {
        return route.fulfill({
          status: 401,
          contentType: 'application/json',
          body: '{"error":{"code":"unauthorized","message":"no"}}',
        });
      }
      const url = new URL(req.url());
      const body = url.pathname.endsWith('/scores') ? fake.scores : fake.responses[url.searchParams.get('cursor') ?? ''];
      return route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    },
  );
  return seen;
}

async function signIn(page: Page, token = TEST_ADMIN_TOKEN) {
  await page.getByLabel('Admin token').fill(token);
  await page.getByRole('button', { name: 'Continue' }).click();
}

async function showSurvey(page: Page, surveyId: string, from = '2026-11-01', to = '2026-11-05') {
  await page.getByLabel('Survey ID', { exact: true }).fill(surveyId);
  await page.getByLabel('From', { exact: true }).fill(from);
  await page.getByLabel('To', { exact: true }).fill(to);
  await page.getByRole('button', { name: 'Show', exact: true }).click();
}

// A real browser on two shared cores: more time than an API test.
describe('GET /dashboard', { timeout: 60_000 }, () => {
  it('asks for the admin token, and asks again when the API rejects it', async () => {
    const surveyId = await givenSurvey(api, { name: 'Support follow-up' });
    const { page, external } = await browser.open(api.url);
    await fakeReadApi(page, { scores: scoresFixture(surveyId), responses: { '': { items: [] } } });
    const res = await page.goto(`${api.url}/dashboard`);
    expect(res!.headers()['content-security-policy']).toContain("script-src 'sha256-");
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await page.getByLabel('Survey ID').isVisible()).toBe(false);
    await page.screenshot({ path: 'tmp/dashboard-login.png' });

    await signIn(page, 'wrong-token');
    await showSurvey(page, surveyId);
    await page.getByText('The admin token or key was rejected. Enter it again.').waitFor();
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('feedback.adminToken'))).toBeNull();

    await signIn(page);
    await page.getByRole('heading', { name: 'Support follow-up' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('feedback.adminToken'))).toBe(TEST_ADMIN_TOKEN);
    expect(await page.evaluate(() => localStorage.getItem('feedback.adminToken'))).toBeNull();
    expect(external).toEqual([]);
  });

  it('shows NPS and CSAT over time with gaps, the distribution, segments and the latest comments', async () => {
    const surveyId = await givenSurvey(api, { name: 'Onboarding', segmentBy: ['plan'] });
    const { page, errors } = await browser.open(api.url);
    const seen = await fakeReadApi(page, {
      scores: scoresFixture(surveyId),
      responses: {
        '': {
          items: [
            response(1, { nps: 3, comment: 'Setup took <b>days</b> <img src=x onerror=alert(1)>' }),
            response(4, { nps: 10, csat: 5, comment: 'Love the new reports' }),
            response(2, { nps: 8 }),
          ],
          nextCursor: 'page-2',
        },
        'page-2': { items: [response(3, { nps: 9, comment: 'Quick support reply', channel: 'web' })] },
      },
    });
    await page.goto(`${api.url}/dashboard`);
    await signIn(page);
    await showSurvey(page, surveyId);
    await page.getByRole('heading', { name: 'Onboarding' }).waitFor();
    await page.locator('#comments li').first().waitFor();

    const scoresCall = new URL(seen.find((r) => r.url().includes('/scores'))!.url());
    expect(Object.fromEntries(scoresCall.searchParams)).toEqual({
      from: '2026-11-01',
      to: '2026-11-05',
      interval: 'day',
      by: 'channel',
    });
    expect(await page.locator('#kpi-nps .value').textContent()).toBe('+20');
    expect(await page.locator('#kpi-nps .sub').textContent()).toContain('±12.3');
    expect(await page.locator('#kpi-csat .value').textContent()).toBe('80%');
    expect(await page.locator('#kpi-ces .value').textContent()).toBe('5.40');
    expect(await page.locator('#kpi-responses .value').textContent()).toBe('20');
    expect(await page.locator('#kpi-response-rate .value').textContent()).toBe('45%');
    expect(await page.locator('#kpi-response-rate .sub').textContent()).toBe('18 of 40 invitations answered');

    // One line per chart, broken at the period without answers: two runs, four dots.
    for (const chart of ['#chart-nps', '#chart-csat']) {
      const d = (await page.locator(`${chart} path.line`).getAttribute('d'))!;
      expect(d.match(/M/g)).toHaveLength(2);
      expect(await page.locator(`${chart} circle.dot`).count()).toBe(4);
    }
    expect(await page.locator('#chart-nps circle.dot title').first().textContent()).toBe('1 Nov: +16.7 (6 answers)');
    expect(await page.getByText('Promoters (9–10): 10 (50%)').isVisible()).toBe(true);
    expect(await page.getByRole('img', { name: /^CSAT answers .*: 1: 1, 2: 1, 3: 2, 4: 6, 5: 10$/ }).count()).toBe(1);
    const rows = await page
      .locator('#segments tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    expect(rows).toEqual([
      ['email', '14', '+28.6', '85.7%', '–'],
      ['web', '6', '0', '–', '5.40'],
    ]);
    expect(await page.locator('#by option').allTextContents()).toEqual(['Channel', 'plan']);

    // Comments: newest first, as text (the markup in a comment is shown, never run).
    expect(await page.locator('#comments li p').allTextContents()).toEqual([
      'Love the new reports',
      'Setup took <b>days</b> <img src=x onerror=alert(1)>',
    ]);
    expect(await page.locator('#comments img, #comments b').count()).toBe(0);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.screenshot({ path: 'tmp/dashboard.png', fullPage: true });

    await page.getByRole('button', { name: 'Load more' }).click();
    await expect
      .poll(() => page.locator('#comments li p').allTextContents())
      .toEqual(['Love the new reports', 'Quick support reply', 'Setup took <b>days</b> <img src=x onerror=alert(1)>']);
    expect(await page.getByRole('button', { name: 'Load more' }).isVisible()).toBe(false);
    expect(errors.filter((e) => /Content Security Policy/i.test(e))).toEqual([]);

    // Segment by a survey attribute.
    await page.getByLabel('Segment by').selectOption('attr.plan');
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await expect.poll(() => seen.filter((r) => r.url().includes('by=attr.plan')).length, { timeout: 10_000 }).toBe(1);

    // The survey is remembered; a reload keeps the session and shows it again without asking.
    expect(await page.evaluate(() => JSON.parse(localStorage.getItem('feedback.recentSurveys') ?? '[]'))).toEqual([surveyId]);
    await page.reload();
    await page.getByRole('heading', { name: 'Onboarding' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Sign in' }).isVisible()).toBe(false);
    expect(await page.getByRole('button', { name: surveyId }).isVisible()).toBe(true);

    const mobile = await browser.open(api.url, { viewport: { width: 390, height: 844 }, isMobile: true });
    await fakeReadApi(mobile.page, {
      scores: scoresFixture(surveyId),
      responses: { '': { items: [response(1, { nps: 3, comment: 'Slow' })] } },
    });
    await mobile.page.goto(`${api.url}/dashboard#survey=${surveyId}&from=2026-11-01&to=2026-11-05`);
    await signIn(mobile.page);
    await mobile.page.locator('#comments li').first().waitFor();
    await mobile.page.screenshot({ path: 'tmp/dashboard-mobile.png', fullPage: true });
    expect(await mobile.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  it('handles a survey without responses, and a survey that does not exist', async () => {
    const surveyId = await givenSurvey(api, { name: 'Quiet survey', questions: ['nps', 'comment'] });
    const { page } = await browser.open(api.url);
    await fakeReadApi(page, { scores: emptyScores(surveyId), responses: { '': { items: [] } } });
    await page.goto(`${api.url}/dashboard`);
    await signIn(page);
    await showSurvey(page, surveyId, '2026-11-01', '2026-11-03');
    await page.getByRole('heading', { name: 'Quiet survey' }).waitFor();
    await page.getByText('No comments in this period.').waitFor();

    expect(await page.locator('#kpi-nps .value').textContent()).toBe('–');
    expect(await page.locator('#kpi-nps .sub').textContent()).toBe('No answers yet');
    expect(await page.locator('#kpi-csat .sub').textContent()).toBe('Not asked');
    expect(await page.locator('#kpi-responses .value').textContent()).toBe('0');
    expect(await page.locator('#kpi-response-rate .value').textContent()).toBe('–');
    expect(await page.locator('#kpi-response-rate .sub').textContent()).toBe('No invitations sent');
    expect(await page.getByText('No NPS answers in this period.').isVisible()).toBe(true);
    expect(await page.getByText('This survey does not ask CSAT.').isVisible()).toBe(true);
    expect(await page.locator('svg path.line').count()).toBe(0);
    expect(await page.getByText('No answers in this period.').isVisible()).toBe(true);
    await page.screenshot({ path: 'tmp/dashboard-empty.png', fullPage: true });

    await showSurvey(page, 'no-such-survey-here');
    await page.getByText('There is no survey "no-such-survey-here". Check the ID.').waitFor();
    expect(await page.locator('#results').isVisible()).toBe(false);
  });

  // Issue 8, hostile 1: such a range made the API loop forever; a crafted link must not send it through a browser.
  // Twice the time: a check that crossed 00:00 UTC (the page's today then another) runs again as of the new day.
  it('sends nothing for a crafted link with absurd dates, and bounds its date pickers', { timeout: 120_000 }, async () => {
    const surveyId = await givenSurvey(api, { name: 'Crafted links' });
    await asOfToday(async (today) => {
      const latest = latestDate(today); // a year ahead
      const { page } = await browser.open(api.url);
      const seen = await fakeReadApi(page, { scores: scoresFixture(surveyId), responses: { '': { items: [] } } });
      const crafted: Array<[string, string]> = [
        ['from=9999-12-31&to=9999-12-31', `From: Use a date from 2000-01-01 to ${latest} (UTC).`],
        [`from=1999-12-31&to=${today}`, `From: Use a date from 2000-01-01 to ${latest} (UTC).`],
        [`from=2000-01-01&to=${today}`, 'To: A range spans at most 3660 days (from and to included).'],
        ['from=2026-11-01&to=0000-01-05', 'Choose a period whose start is not after its end.'], // no such day in a date input
      ];
      for (const [range, says] of crafted) {
        await page.goto(`${api.url}/dashboard#survey=${surveyId}&${range}`);
        await page.reload();
        if (await page.getByLabel('Admin token').isVisible()) await signIn(page);
        await page.getByText(says, { exact: true }).waitFor();
        expect(await page.locator('#results').isVisible(), range).toBe(false);
      }
      expect(seen.map((r) => r.url())).toEqual([]);
      for (const name of ['From', 'To']) {
        const picker = page.getByLabel(name, { exact: true });
        expect([await picker.getAttribute('min'), await picker.getAttribute('max')]).toEqual(['2000-01-01', latest]);
      }
    });
  });
});
