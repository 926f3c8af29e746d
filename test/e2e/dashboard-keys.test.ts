import { describe, expect, it } from 'vitest';
import { useApi } from '../support/api.ts';
import { givenKey } from '../support/api-keys.ts';
import { useBrowser } from '../support/browser.ts';
import { givenSurvey } from '../support/factories.ts';

/** The dashboard only reads: it signs in with a read key as with the admin token, against the real API. */
const api = useApi();
const browser = useBrowser();

describe('GET /dashboard with API keys', { timeout: 60_000 }, () => {
  it('signs in with a read key and reads a survey; an ingest key is told it may not read', async () => {
    const surveyId = await givenSurvey(api, { name: 'Read by key' });
    const read = await givenKey(api, ['read']);
    const ingest = await givenKey(api, ['ingest']);
    const { page } = await browser.open(api.url);
    const reads: number[] = [];
    page.on('response', (res) => {
      if (new URL(res.url()).pathname.startsWith('/v1/')) reads.push(res.status());
    });
    await page.goto(`${api.url}/dashboard`);
    expect(await page.locator('#login').textContent()).toContain('an API key with the read scope');

    await page.getByLabel('Admin token or read key').fill(read.secret);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Survey ID', { exact: true }).fill(surveyId);
    await page.getByRole('button', { name: 'Show', exact: true }).click();
    await page.getByRole('heading', { name: 'Read by key' }).waitFor();
    // the survey list (the picker, read at sign-in), the survey, its scores, its responses
    await expect.poll(() => reads, { timeout: 10_000 }).toEqual([200, 200, 200, 200]);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token or read key').fill(ingest.secret);
    await page.getByRole('button', { name: 'Continue' }).click(); // it reads the survey shown before at once
    await page.getByText('This key may not read. Sign in with a read key or the admin token.').waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('feedback.adminToken'))).toBeNull();
  });
});
