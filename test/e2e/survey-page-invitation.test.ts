import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENV } from '../../functions/runtime/env.ts';
import { givenCustomer, givenLink, givenSurvey } from '../support/factories.ts';
import { useApi } from '../support/api.ts';
import { useBrowser } from '../support/browser.ts';

/**
 * The survey page an invitation opens: in the language the customer's profile names, with the team's brand (its
 * logo, an https image the CSP allows by origin, and its colour), and the one-click answer preselected on the first
 * scale question whatever its type. The brand is set before the API starts: the page handler reads it when loaded.
 */
const LOGO = 'https://cdn.acme.example/brand/logo.png';
const BRAND = { name: 'Acme Outdoor', logoUrl: LOGO, color: '#e65100' };
process.env[ENV.brand] = JSON.stringify(BRAND);

const api = useApi();
const browser = useBrowser();
mkdirSync('tmp', { recursive: true });

// A 1×1 PNG, served for the logo: the test machine reaches no CDN.
const PIXEL = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==',
  'base64',
);
const cspViolations = (errors: string[]) => errors.filter((e) => /Content Security Policy/i.test(e));

async function linkFor(surveyId: string, customer: Record<string, unknown> | null) {
  const customerId = customer ? await givenCustomer(api, customer) : undefined;
  const { token } = await givenLink(api, surveyId, customerId);
  return `${api.url}/s/${surveyId}?t=${encodeURIComponent(token)}`;
}

describe('the survey page of an invitation', { timeout: 60_000 }, () => {
  it("speaks the customer's stored language over the browser's, then Accept-Language, then English", async () => {
    const surveyId = await givenSurvey(api, { questions: ['nps', 'comment'] });
    const german = { extraHTTPHeaders: { 'accept-language': 'de-DE,de;q=0.9' } };

    const turkish = await browser.open(api.url, { extraHTTPHeaders: { 'accept-language': 'en-US,en;q=0.9' } });
    await turkish.page.goto(await linkFor(surveyId, { locale: 'tr-TR' }));
    expect(await turkish.page.getAttribute('html', 'lang')).toBe('tr');
    expect(await turkish.page.getByRole('heading', { level: 1 }).textContent()).toBe('Görüşünüz bizim için değerli');

    const serbian = await browser.open(api.url, german);
    const serbianLink = await linkFor(surveyId, { locale: 'sr' });
    const res = await serbian.page.goto(serbianLink);
    expect(res!.headers()['content-language']).toBe('sr');
    expect(await serbian.page.getAttribute('html', 'lang')).toBe('sr-Cyrl');
    expect(await serbian.page.getByRole('button', { name: 'Пошаљи' }).isVisible()).toBe(true);
    // `?lang=` still wins: the visitor chose it.
    await serbian.page.goto(`${serbianLink}&lang=et`);
    expect(await serbian.page.getByRole('button', { name: 'Saada' }).isVisible()).toBe(true);

    // A locale the pages do not speak, or no customer profile: Accept-Language, then English.
    const estonianBrowser = await browser.open(api.url, { extraHTTPHeaders: { 'accept-language': 'et-EE,et;q=0.9' } });
    await estonianBrowser.page.goto(await linkFor(surveyId, { locale: 'de-AT' }));
    expect(await estonianBrowser.page.getAttribute('html', 'lang')).toBe('et');
    const unknown = await browser.open(api.url, german);
    await unknown.page.goto(await linkFor(surveyId, null));
    expect(await unknown.page.getAttribute('html', 'lang')).toBe('en');
  });

  it('carries the brand: its logo (allowed by the CSP, by origin) and its colour, on the page and its problem pages', async () => {
    const surveyId = await givenSurvey(api, { name: 'After your order', questions: ['nps', 'comment'] });
    const { page, errors, external } = await browser.open(api.url);
    const logoRequests: string[] = [];
    await page.route(LOGO, (route) => {
      logoRequests.push(route.request().url());
      return route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL });
    });
    const res = await page.goto(`${await linkFor(surveyId, { locale: 'en' })}&score=10`);
    const csp = res!.headers()['content-security-policy']!;
    expect(csp).toContain('img-src data: https://cdn.acme.example;');
    expect(csp).not.toContain('/brand/logo.png');

    const logo = page.getByRole('img', { name: 'Acme Outdoor' });
    await expect
      .poll(() => logo.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth), { timeout: 10_000 })
      .toBe(1);
    expect(logoRequests).toEqual([LOGO]);
    expect(external).toEqual([LOGO]);
    // The accent is the brand's: the send button and the checked answer.
    const accent = 'rgb(230, 81, 0)';
    expect(await page.getByRole('button', { name: 'Send feedback' }).evaluate((b) => getComputedStyle(b).backgroundColor)).toBe(
      accent,
    );
    const checked = page.locator('.opt input:checked + span');
    expect(await checked.evaluate((s) => getComputedStyle(s).backgroundColor)).toBe(accent);
    expect(cspViolations(errors)).toEqual([]);
    await page.screenshot({ path: 'tmp/survey-page-brand.png', fullPage: true });

    // The problem pages carry it too, under the same policy.
    const expired = await browser.open(api.url);
    await expired.page.route(LOGO, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL }));
    const bad = await expired.page.goto(`${api.url}/s/${surveyId}?t=not-a-token&lang=en`);
    expect(bad!.status()).toBe(403);
    expect(await expired.page.getByRole('img', { name: 'Acme Outdoor' }).isVisible()).toBe(true);
    expect(cspViolations(expired.errors)).toEqual([]);
  });

  it('preselects the one-click score on the first scale question, NPS, CSAT or CES, within its range only', async () => {
    const cases: Array<{ questions: string[]; score: number; radiogroup: RegExp; checked: string | null }> = [
      { questions: ['nps', 'csat', 'comment'], score: 10, radiogroup: /recommend/, checked: '10' },
      { questions: ['csat', 'ces', 'comment'], score: 4, radiogroup: /satisfied/, checked: '4' },
      { questions: ['ces'], score: 7, radiogroup: /easy/, checked: '7' },
      { questions: ['csat'], score: 9, radiogroup: /satisfied/, checked: null }, // out of 1–5: ignored
      { questions: ['ces', 'comment'], score: 0, radiogroup: /easy/, checked: null }, // out of 1–7: ignored
    ];
    const { page } = await browser.open(api.url);
    await page.route(LOGO, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: PIXEL }));
    for (const c of cases) {
      const surveyId = await givenSurvey(api, { questions: c.questions });
      await page.goto(`${await linkFor(surveyId, { locale: 'en' })}&score=${c.score}`);
      const group = page.getByRole('radiogroup', { name: c.radiogroup });
      const value = await group
        .locator('input:checked')
        .evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value));
      expect({ ...c, checked: value[0] ?? null }).toEqual(c);
      // Only the first scale question: the others stay unanswered.
      expect(await page.locator('input:checked').count()).toBe(c.checked === null ? 0 : 1);
    }

    // The customer still presses Send: the preselected CSAT answer is what is stored.
    const surveyId = await givenSurvey(api, { questions: ['csat', 'comment'] });
    await page.goto(`${await linkFor(surveyId, { locale: 'en' })}&score=5`);
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
    const listed = await api.request('GET', `/v1/surveys/${surveyId}/responses`, { admin: true });
    expect(listed.body.items).toEqual([expect.objectContaining({ csat: 5 })]);
  });
});
