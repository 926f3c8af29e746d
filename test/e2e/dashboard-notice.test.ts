import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useApi } from '../support/api.ts';
import { givenKey } from '../support/api-keys.ts';
import { useBrowser } from '../support/browser.ts';
import { givenCustomer, givenSurvey, uniqueId } from '../support/factories.ts';

/**
 * Issue 10 on the dashboard: the survey picker (GET /v1/surveys), significant changes on the charts with their delta
 * and margin, the segments' `null` row, the year in day labels across a new year, and the customer's timeline one
 * click from a comment (and at /dashboard?customer=<id>). Signed in with a read key against the real API; the scores
 * (with `change`, the shape issue 10 adds to each series item) and the comments are contract-shaped fixtures.
 */
const api = useApi();
const browser = useBrowser();
mkdirSync('tmp', { recursive: true });

const nps = (promoters: number, passives: number, detractors: number, marginOfError95: number | null = 12.3) => {
  const n = promoters + passives + detractors;
  return {
    score: Math.round((1000 * (promoters - detractors)) / n) / 10,
    promoters,
    passives,
    detractors,
    responses: n,
    marginOfError95,
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
const empty = { responses: 0, nps: null, csat: null, ces: null };

/** Four days across new year: a significant fall of both scores, then a change within the margin, then nothing. */
const scoresAcrossNewYear = (surveyId: string) => ({
  surveyId,
  from: '2025-12-30',
  to: '2026-01-02',
  interval: 'day',
  total: {
    responses: 30,
    nps: nps(12, 6, 12),
    csat: csat([2, 2, 3, 5, 8]),
    ces: null,
    invitations: { sent: 60, answered: 30, responseRate: 50 },
  },
  series: [
    { period: '2025-12-30', responses: 10, nps: nps(8, 1, 1), csat: csat([0, 0, 1, 3, 6]), ces: null, change: null },
    {
      period: '2025-12-31',
      responses: 10,
      nps: nps(2, 2, 6),
      csat: csat([2, 2, 2, 2, 2]),
      ces: null,
      change: { nps: { delta: -110, significant: true }, csat: { delta: -50, significant: true } },
    },
    {
      period: '2026-01-01',
      responses: 10,
      nps: nps(2, 3, 5),
      csat: null,
      ces: null,
      change: { nps: { delta: 10, significant: false }, csat: null },
    },
    { period: '2026-01-02', ...empty, change: { nps: null, csat: null } },
  ],
  segments: [
    { key: 'pro', responses: 18, nps: nps(10, 4, 4), csat: csat([0, 1, 1, 4, 6]), ces: null },
    { key: null, responses: 12, nps: nps(2, 2, 8), csat: csat([2, 1, 2, 1, 2]), ces: null },
  ],
});

/** The scores and responses of one survey as fixtures; every other request reaches the real API. */
async function fakeScores(page: Page, surveyId: string, responses: unknown[]) {
  await page.route(
    (url) => url.pathname === `/v1/surveys/${surveyId}/scores` || url.pathname === `/v1/surveys/${surveyId}/responses`,
    (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/json',
        body: JSON.stringify(route.request().url().includes('/scores') ? scoresAcrossNewYear(surveyId) : { items: responses }),
      }),
  );
}

async function signIn(page: Page, secret: string) {
  await page.getByLabel('Admin token or read key').fill(secret);
  await page.getByRole('button', { name: 'Continue' }).click();
}

describe('the dashboard notices (issue 10)', { timeout: 90_000 }, () => {
  it('picks a survey from the list and marks its significant changes, across a new year', async () => {
    const surveyId = await givenSurvey(api, { name: `Picked ${uniqueId('p')}`, segmentBy: ['plan'] });
    const name = (await api.request('GET', `/v1/surveys/${surveyId}`, { admin: true })).body.name as string;
    const read = await givenKey(api, ['read']);
    const { page, errors, external } = await browser.open(api.url);
    await fakeScores(page, surveyId, []);
    await page.goto(`${api.url}/dashboard#from=2025-12-30&to=2026-01-02`);
    await signIn(page, read.secret);

    const picker = page.getByLabel('Survey', { exact: true });
    await expect.poll(() => picker.locator('option').allTextContents(), { timeout: 20_000 }).toContain(`${name} (${surveyId})`);
    await picker.selectOption(surveyId);
    await page.getByRole('heading', { name }).waitFor();

    // The year in every day label, since the range crosses one.
    expect(await page.locator('#kpi-responses .sub').textContent()).toBe('30 Dec 2025 – 2 Jan 2026');
    expect(await page.locator('#chart-nps svg > text').allTextContents()).toEqual(
      expect.arrayContaining(['30 Dec 2025', '1 Jan 2026']),
    );
    expect(await page.locator('#kpi-response-rate .value').textContent()).toBe('50%');

    // NPS fell 110 points on 31 Dec, beyond its margin (sqrt(12.3² + 12.3²) = 17.4): one mark, down.
    const marks = page.locator('#chart-nps g.change');
    expect(await marks.count()).toBe(1);
    expect(await marks.getAttribute('class')).toBe('change down');
    expect(await marks.locator('text').textContent()).toBe('−110.0');
    expect(await page.locator('#chart-nps .changes li').allTextContents()).toEqual([
      '31 Dec 2025: −110.0 (margin ±17.4, 95%), beyond the margin of error',
    ]);
    // The rise within the margin is not marked; its dot says so.
    expect(await page.locator('#chart-nps circle.dot title').nth(2).textContent()).toBe(
      '1 Jan 2026: -30 (10 answers); change +10.0 (margin ±17.4, 95%), within the margin of error',
    );
    // CSAT fell 50 points: the margin from the shares of 4s and 5s (90% and 40% of 10 each) is 35.6.
    expect(await page.locator('#chart-csat .changes li').allTextContents()).toEqual([
      '31 Dec 2025: −50.0 (margin ±35.6, 95%), beyond the margin of error',
    ]);

    // The segments add up: the answers without a plan are a row of their own.
    const rows = await page
      .locator('#segments tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    expect(rows.map((r) => r.slice(0, 2))).toEqual([
      ['pro', '18'],
      ['(none)', '12'],
    ]);
    await page.screenshot({ path: 'tmp/dashboard-changes.png', fullPage: true });
    expect(errors).toEqual([]);
    expect(external).toEqual([]);
  });

  it("keeps the picker within a phone's width, however long the survey names", async () => {
    const surveyId = await givenSurvey(api, { name: `A long name ${'x'.repeat(180)}` });
    const read = await givenKey(api, ['read']);
    const { page } = await browser.open(api.url, { viewport: { width: 390, height: 844 }, isMobile: true });
    await page.goto(`${api.url}/dashboard`);
    await signIn(page, read.secret);
    await expect.poll(() => page.locator(`#survey-picker option[value="${surveyId}"]`).count(), { timeout: 20_000 }).toBe(1);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
  });

  it("opens the customer's timeline one click from a comment, and back", async () => {
    const surveyId = await givenSurvey(api, { name: 'Timeline survey' });
    const customerId = await givenCustomer(api, { name: 'Mari Tamm' });
    for (const [nps, submittedAt, comment] of [
      [10, '2026-01-01T10:00:00Z', 'Lovely'],
      [3, '2026-01-02T10:00:00Z', 'The export broke'],
    ] as const) {
      const res = await api.request('POST', '/v1/responses', {
        admin: true,
        body: { surveyId, customerId, nps, comment, submittedAt },
      });
      expect(res.status).toBe(201);
    }
    await api.request('POST', '/v1/events', {
      admin: true,
      body: { eventId: uniqueId('ev'), customerId, type: 'ticket_solved', occurredAt: '2026-01-02T15:00:00Z' },
    });
    const read = await givenKey(api, ['read']);
    const { page, errors } = await browser.open(api.url);
    await fakeScores(page, surveyId, [
      {
        responseId: 'R1',
        surveyId,
        customerId,
        nps: 3,
        comment: 'The export broke',
        channel: 'email',
        submittedAt: '2026-01-02T10:00:00.000Z',
      },
    ]);
    await page.goto(`${api.url}/dashboard#survey=${surveyId}&from=2025-12-30&to=2026-01-02`);
    await signIn(page, read.secret);
    await page.locator('#comments li').first().waitFor();

    await page.getByRole('link', { name: customerId }).click();
    await page.getByRole('heading', { name: 'Mari Tamm' }).waitFor();
    expect(new URL(page.url()).searchParams.get('customer')).toBe(customerId);
    await expect.poll(() => page.locator('#timeline li').count(), { timeout: 20_000 }).toBe(3);
    const entries = await page.locator('#timeline li').allTextContents();
    expect(entries[0]).toContain('ticket_solved');
    expect(entries[1]).toContain('NPS 3');
    expect(entries[1]).toContain('The export broke');
    expect(await page.locator('#timeline li').nth(1).locator('.changed').textContent()).toBe('promoter → detractor');
    expect(await page.locator('#timeline .changed').count()).toBe(1);
    expect(entries[2]).toContain('Lovely');
    await page.screenshot({ path: 'tmp/dashboard-timeline.png', fullPage: true });

    await page.getByRole('link', { name: 'Back to the survey' }).click();
    await page.getByRole('heading', { name: 'Timeline survey' }).waitFor();
    expect(await page.locator('#customer').isVisible()).toBe(false);
    expect(errors).toEqual([]);
  });

  it('shows a timeline at /dashboard?customer=<id>, a page at a time, and says when there is no such customer', async () => {
    const surveyId = await givenSurvey(api);
    const customerId = await givenCustomer(api, { name: 'Jovan' });
    for (let day = 1; day <= 3; day++) {
      await api.request('POST', '/v1/events', {
        admin: true,
        body: { eventId: uniqueId('ev'), customerId, type: `step_${day}`, occurredAt: `2026-01-0${day}T09:00:00Z` },
      });
    }
    for (let i = 0; i < 50; i++) {
      const minute = String(i % 60).padStart(2, '0');
      await api.request('POST', '/v1/responses', {
        admin: true,
        body: { surveyId, customerId, nps: 9, submittedAt: `2026-01-05T10:${minute}:00Z` },
      });
    }
    const read = await givenKey(api, ['read']);
    const { page } = await browser.open(api.url);
    await page.goto(`${api.url}/dashboard?customer=${customerId}`);
    await signIn(page, read.secret);
    await page.getByRole('heading', { name: 'Jovan' }).waitFor();
    await expect.poll(() => page.locator('#timeline li').count(), { timeout: 20_000 }).toBe(50);
    await page.getByRole('button', { name: 'Older' }).click();
    await expect.poll(() => page.locator('#timeline li').count(), { timeout: 20_000 }).toBe(53);
    expect(await page.locator('#timeline li').last().textContent()).toContain('step_1');
    expect(await page.getByRole('button', { name: 'Older' }).isVisible()).toBe(false);

    await page.goto(`${api.url}/dashboard?customer=nobody-${uniqueId('x')}`);
    await page.getByText(/There is no customer "nobody-/).waitFor();
  });
});
