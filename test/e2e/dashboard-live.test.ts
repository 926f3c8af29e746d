import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/runtime/env.ts';
import { FUNCTIONS } from '../../lib/manifest.ts';
import { startStreamPoller, type StreamPoller } from '../../lib/local/stream-poller.ts';
import { aSurvey, uniqueId } from '../support/factories.ts';
import { useApi } from '../support/api.ts';
import { useBrowser } from '../support/browser.ts';
import { TEST_ADMIN_TOKEN } from '../setup-env.ts';
import { testStreamArn } from '../test-env.ts';

/**
 * The dashboard against the real read endpoints (no fake routes): responses imported through the API, scored by
 * the real scorer fed from the table's stream (the local event source mapping), read back by the page itself.
 */
const api = useApi();
const browser = useBrowser();
mkdirSync('tmp', { recursive: true });

const surveyId = uniqueId('s-live');
let scorer: StreamPoller | undefined;
beforeAll(async () => {
  process.env[ENV.localDlqPath] ??= resolve('tmp/e2e-scorer-dlq.jsonl');
  const fn = FUNCTIONS.find((f) => f.name === 'ScoreResponses');
  if (!fn?.stream) throw new Error('The manifest has no ScoreResponses stream consumer.');
  // Only this survey's responses: other test files share the table and feed their own scorers, or none.
  const onlyThisSurvey = {
    dynamodb: { Keys: { pk: { S: [{ prefix: 'RESPONSE#' }] } }, NewImage: { surveyId: { S: [surveyId] } } },
  };
  scorer = await startStreamPoller({
    endpoint: process.env[ENV.dynamodbEndpoint]!,
    streamArn: testStreamArn(),
    fn: { ...fn, stream: { ...fn.stream, filterPatterns: [onlyThisSurvey] } },
    failurePath: resolve('tmp/e2e-scorer-failures.jsonl'),
  });
});
afterAll(async () => scorer?.stop());

const DAY_MS = 86_400_000;
/** Read once: seeding, the form and the assertions see the same days, even if the run goes past 00:00 UTC. */
const NOW = Date.now();
const daysAgo = (n: number) => new Date(NOW - n * DAY_MS).toISOString().slice(0, 10);

describe('GET /dashboard with the real scores and responses endpoints', { timeout: 90_000 }, () => {
  it('shows the scores the scorer kept and the comments the listing returns', async () => {
    const put = await api.request('PUT', `/v1/surveys/${surveyId}`, {
      admin: true,
      body: aSurvey({ name: 'Live checkout', questions: ['nps', 'csat', 'comment'] }),
    });
    expect(put.status).toBe(200);
    const answers = [
      {
        customerId: uniqueId('c-a'),
        nps: 10,
        csat: 5,
        comment: 'Smooth checkout',
        channel: 'email',
        submittedAt: `${daysAgo(3)}T09:00:00Z`,
      },
      {
        customerId: uniqueId('c-b'),
        nps: 3,
        csat: 2,
        comment: 'Payment failed <twice>',
        channel: 'web',
        submittedAt: `${daysAgo(3)}T11:00:00Z`,
      },
      { customerId: uniqueId('c-c'), nps: 9, csat: 4, channel: 'email', submittedAt: `${daysAgo(1)}T10:00:00Z` },
    ];
    for (const answer of answers) {
      const res = await api.request('POST', '/v1/responses', { admin: true, body: { surveyId, ...answer } });
      expect(res.status).toBe(201);
    }
    await scorer!.drained();

    const { page, external } = await browser.open(api.url);
    const reads: Array<{ path: string; status: number }> = [];
    let scoresBody: Promise<any> | undefined;
    page.on('response', (res) => {
      const url = new URL(res.url());
      if (url.pathname.startsWith('/v1/')) reads.push({ path: url.pathname, status: res.status() });
      if (url.pathname.endsWith('/scores')) scoresBody = res.json();
    });
    await page.goto(`${api.url}/dashboard`);
    await page.getByLabel('Admin token').fill(TEST_ADMIN_TOKEN);
    await page.getByRole('button', { name: 'Continue' }).click();
    // Sign-in reads the picker's list; wait for it as a user would see it, so the reads below come in one order.
    await page.locator(`#survey-picker option[value="${surveyId}"]`).waitFor({ state: 'attached' });
    await page.getByLabel('Survey ID', { exact: true }).fill(surveyId);
    await page.getByLabel('From', { exact: true }).fill(daysAgo(3));
    await page.getByLabel('To', { exact: true }).fill(daysAgo(0));
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByRole('heading', { name: 'Live checkout' }).waitFor();
    await page.locator('#comments li').first().waitFor();

    expect(reads).toEqual([
      { path: '/v1/surveys', status: 200 }, // the picker's list, read at sign-in
      { path: `/v1/surveys/${surveyId}`, status: 200 },
      { path: `/v1/surveys/${surveyId}/scores`, status: 200 },
      { path: `/v1/surveys/${surveyId}/responses`, status: 200 },
    ]);
    // The listing is newest first; the page shows the comments only, as text.
    expect(await page.locator('#comments li p').allTextContents()).toEqual(['Payment failed <twice>', 'Smooth checkout']);

    // The scores answer the page itself received: contract-shaped, one period per day of the range.
    const scores = await scoresBody!;
    expect(scores).toMatchObject({ surveyId, from: daysAgo(3), to: daysAgo(0), interval: 'day' });
    expect(scores.series.map((p: { period: string }) => p.period)).toEqual([daysAgo(3), daysAgo(2), daysAgo(1), daysAgo(0)]);
    expect(Array.isArray(scores.segments)).toBe(true);
    expect(scores.total.responses).toBe(3);
    // 2 promoters and 1 detractor of 3: +33.3; CSAT 4 and 5 are satisfied: 2 of 3.
    expect(await page.locator('#kpi-responses .value').textContent()).toBe('3');
    expect(await page.locator('#kpi-nps .value').textContent()).toBe('+33.3');
    expect(await page.locator('#kpi-csat .value').textContent()).toBe('66.7%');
    expect(await page.locator('#kpi-ces .sub').textContent()).toBe('Not asked');
    // Four days with answers on the first and the third: two runs of one point, a gap between.
    expect((await page.locator('#chart-nps path.line').getAttribute('d'))!.match(/M/g)).toHaveLength(2);
    expect(await page.locator('#chart-nps circle.dot').count()).toBe(2);
    const rows = await page
      .locator('#segments tbody tr')
      .evaluateAll((trs) => trs.map((tr) => Array.from(tr.children, (c) => c.textContent)));
    expect(rows).toEqual([
      ['email', '2', '+100', '100%', '–'],
      ['web', '1', '-100', '0%', '–'],
    ]);
    expect(external).toEqual([]);
    await page.screenshot({ path: 'tmp/dashboard-live.png', fullPage: true });
  });
});
