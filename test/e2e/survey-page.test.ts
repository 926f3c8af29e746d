import { mkdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { signToken } from '../../functions/core/tokens.ts';
import { givenLink, givenSurvey } from '../support/factories.ts';
import { storedResponsesOf, useApi } from '../support/api.ts';
import { useBrowser } from '../support/browser.ts';
import { TEST_KEYRING } from '../setup-env.ts';

const api = useApi();
const browser = useBrowser();
mkdirSync('tmp', { recursive: true });

const storedFor = storedResponsesOf;
const cspViolations = (errors: string[]) => errors.filter((e) => /Content Security Policy/i.test(e));

// A real browser on two shared cores: more time than an API test.
describe('GET /s/{surveyId}: the hosted survey page', { timeout: 60_000 }, () => {
  it('shows only the survey questions, preselects a one-click score, and stores one response for a double click', async () => {
    const surveyId = await givenSurvey(api, { name: 'Checkout <b>experience</b>', questions: ['nps', 'comment'] });
    const { token, customerId } = await givenLink(api, surveyId);
    const { page, requests, external, errors } = await browser.open(api.url);

    await page.goto(`${api.url}/s/${surveyId}?t=${encodeURIComponent(token)}&score=9&lang=en`);
    expect(requests.map((r) => r.replace(api.url, ''))).toEqual([
      `GET /s/${surveyId}?t=${encodeURIComponent(token)}&score=9&lang=en`,
    ]);
    const nps = page.getByRole('radiogroup', { name: 'How likely are you to recommend us to a friend or colleague?' });
    expect(await nps.getByRole('radio').count()).toBe(11);
    expect(await nps.getByRole('radio', { name: '9', exact: true }).isChecked()).toBe(true);
    expect(await page.getByText('Not at all likely').isVisible()).toBe(true);
    expect(await page.getByText('Extremely likely').isVisible()).toBe(true);
    // Only the asked questions: no CSAT or CES scale.
    expect(await page.getByRole('radiogroup').count()).toBe(1);
    // The survey name is text, not markup.
    expect(await page.locator('.eyebrow').textContent()).toBe('Checkout <b>experience</b>');
    expect(await page.locator('.eyebrow b').count()).toBe(0);
    // Opening the page stored nothing.
    expect(await storedFor(surveyId)).toHaveLength(0);
    await page.screenshot({ path: 'tmp/survey-page-en.png', fullPage: true });

    await page.getByLabel('What is the main reason for your answer?').fill('Fast & friendly <support>');
    const posts: string[] = [];
    page.on('request', (req) => {
      if (req.method() === 'POST') posts.push(req.headers()['idempotency-key'] ?? '');
    });
    await page.getByRole('button', { name: 'Send feedback' }).dblclick();
    await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
    await page.screenshot({ path: 'tmp/survey-page-thanks.png', fullPage: true });

    // Sending the same answers again from this page load reuses its Idempotency-Key: the first answer is replayed.
    await page.getByRole('button', { name: 'Change my answer' }).click();
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
    expect(posts.length).toBeGreaterThanOrEqual(2);
    expect(new Set(posts).size).toBe(1);
    expect(posts[0]).toMatch(/^[0-9a-f]{32}-1$/);
    const stored = await storedFor(surveyId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ customerId, nps: 9, comment: 'Fast & friendly <support>', channel: 'web', version: 1 });
    expect(external).toEqual([]);
    expect(cspViolations(errors)).toEqual([]);
  });

  it('replaces the answer when the customer changes it, and shows the earlier answer on a later visit', async () => {
    const surveyId = await givenSurvey(api);
    const { token } = await givenLink(api, surveyId);
    const { page } = await browser.open(api.url);
    await page.goto(`${api.url}/s/${surveyId}?t=${encodeURIComponent(token)}`);

    await page
      .getByRole('radiogroup', { name: /recommend/ })
      .getByRole('radio', { name: '6', exact: true })
      .check();
    await page
      .getByRole('radiogroup', { name: /satisfied/ })
      .getByRole('radio', { name: '3', exact: true })
      .check();
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
    const [first] = await storedFor(surveyId);
    expect(first).toMatchObject({ nps: 6, csat: 3, version: 1 });

    await page.getByRole('button', { name: 'Change my answer' }).click();
    await page
      .getByRole('radiogroup', { name: /recommend/ })
      .getByRole('radio', { name: '8', exact: true })
      .check();
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
    const after = await storedFor(surveyId);
    expect(after).toHaveLength(1);
    expect(after[0]).toMatchObject({ responseId: first!.responseId, nps: 8, csat: 3, version: 2 });

    // A second visit of the same link shows the stored answers, so sending again edits instead of erasing.
    await page.goto(`${api.url}/s/${surveyId}?t=${encodeURIComponent(token)}`);
    expect(
      await page
        .getByRole('radiogroup', { name: /recommend/ })
        .getByRole('radio', { name: '8', exact: true })
        .isChecked(),
    ).toBe(true);
    expect(await page.getByText('You have already answered.').isVisible()).toBe(true);
  });

  it('is in the visitor language: Serbian Cyrillic from Accept-Language, Turkish and Estonian from ?lang=', async () => {
    const surveyId = await givenSurvey(api, { questions: ['nps', 'csat', 'ces', 'comment'] });
    const { token } = await givenLink(api, surveyId);
    const url = `${api.url}/s/${surveyId}?t=${encodeURIComponent(token)}`;

    const sr = await browser.open(api.url, {
      locale: 'sr-RS',
      extraHTTPHeaders: { 'accept-language': 'sr-RS,sr;q=0.9,en;q=0.5' },
    });
    await sr.page.goto(url);
    expect(await sr.page.getAttribute('html', 'lang')).toBe('sr-Cyrl');
    expect(
      await sr.page
        .getByRole('radiogroup', { name: 'Колико је вероватно да бисте нас препоручили пријатељу или колеги?' })
        .count(),
    ).toBe(1);
    expect(await sr.page.getByRole('button', { name: 'Пошаљи' }).isVisible()).toBe(true);
    expect(await sr.page.getByRole('radiogroup').count()).toBe(3);
    await sr.page.screenshot({ path: 'tmp/survey-page-sr.png', fullPage: true });

    const tr = await browser.open(api.url, { colorScheme: 'dark', extraHTTPHeaders: { 'accept-language': 'de-DE,de;q=0.9' } });
    await tr.page.goto(`${url}&lang=tr&score=10`);
    expect(await tr.page.getByRole('heading', { level: 1 }).textContent()).toBe('Görüşünüz bizim için değerli');
    expect(await tr.page.getByText('Hiç olası değil').isVisible()).toBe(true);
    await tr.page.getByRole('radio', { name: '4', exact: true }).nth(1).focus();
    await tr.page.screenshot({ path: 'tmp/survey-page-tr-dark.png', fullPage: true });

    const et = await browser.open(api.url, { viewport: { width: 375, height: 812 }, isMobile: true, hasTouch: true });
    await et.page.goto(`${url}&lang=et`);
    expect(await et.page.getByRole('button', { name: 'Saada' }).isVisible()).toBe(true);
    // Mobile: nothing scrolls sideways and the answer buttons stay big enough to tap.
    expect(await et.page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    const box = await et.page.getByRole('radio', { name: '10', exact: true }).first().boundingBox();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await et.page.screenshot({ path: 'tmp/survey-page-et-mobile.png', fullPage: true });

    const other = await browser.open(api.url, { extraHTTPHeaders: { 'accept-language': 'de-DE,de;q=0.9' } });
    await other.page.goto(url);
    expect(await other.page.getAttribute('html', 'lang')).toBe('en');
  });

  it('answers with the keyboard alone and asks for a score before sending', async () => {
    const surveyId = await givenSurvey(api, { questions: ['csat'] });
    const { token } = await givenLink(api, surveyId);
    const { page } = await browser.open(api.url);
    await page.goto(`${api.url}/s/${surveyId}?t=${encodeURIComponent(token)}`);

    await page.getByRole('button', { name: 'Send feedback' }).click();
    expect(await page.getByRole('alert').textContent()).toBe('Please choose a score for at least one question.');
    expect(await storedFor(surveyId)).toHaveLength(0);

    // Focus is on the first CSAT option; arrow keys move the choice, as in any radio group.
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.getByRole('radio', { name: '4', exact: true }).isChecked()).toBe(true);
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
    expect(await storedFor(surveyId)).toMatchObject([{ csat: 4 }]);
  });

  it('takes answers without a link on an anonymous survey', async () => {
    const surveyId = await givenSurvey(api, { anonymous: true, questions: ['ces'] });
    const { page } = await browser.open(api.url);
    await page.goto(`${api.url}/s/${surveyId}?channel=kiosk`);
    await page
      .getByRole('radiogroup', { name: 'How easy was it to get what you needed?' })
      .getByRole('radio', { name: '6', exact: true })
      .check();
    await page.getByRole('button', { name: 'Send feedback' }).click();
    await page.getByRole('heading', { name: 'Thank you!' }).waitFor();
    const stored = await storedFor(surveyId);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ ces: 6, channel: 'kiosk' });
    expect(stored[0]!.customerId).toBeUndefined();
  });

  it('stores nothing when the page is only fetched, as a link scanner does', async () => {
    const surveyId = await givenSurvey(api);
    const { token } = await givenLink(api, surveyId);
    const res = await api.request('GET', `/s/${surveyId}?t=${encodeURIComponent(token)}&score=10`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'/);
    expect(csp).not.toContain('unsafe-inline');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.text).not.toMatch(/(src|href)="https?:/);
    expect(await storedFor(surveyId)).toHaveLength(0);
  });

  it('shows a clear page for an expired or forged link, and for a survey that does not exist', async () => {
    const surveyId = await givenSurvey(api);
    const expired = signToken(
      { activeKid: TEST_KEYRING.activeKid, keys: { [TEST_KEYRING.activeKid]: TEST_KEYRING['test-1'] } },
      { purpose: 'survey', surveyId, customerId: 'c-1', exp: Math.floor(Date.now() / 1000) - 60, nonce: 'n-expired' },
    );
    const forged = signToken(
      { activeKid: TEST_KEYRING.activeKid, keys: { [TEST_KEYRING.activeKid]: 'not-the-real-secret-0123456789' } },
      { purpose: 'survey', surveyId, customerId: 'c-1', exp: Math.floor(Date.now() / 1000) + 3600, nonce: 'n-forged' },
    );
    const otherSurvey = (await givenLink(api, await givenSurvey(api))).token;
    const { page } = await browser.open(api.url);

    for (const token of [expired, forged, otherSurvey]) {
      const res = await page.goto(`${api.url}/s/${surveyId}?t=${encodeURIComponent(token)}&score=10`);
      expect(res!.status()).toBe(403);
      expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('This link is invalid or has expired');
      expect(await page.getByRole('radio').count()).toBe(0);
    }
    await page.screenshot({ path: 'tmp/survey-page-invalid.png', fullPage: true });

    const noToken = await page.goto(`${api.url}/s/${surveyId}?lang=et`);
    expect(noToken!.status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('See link on kehtetu või aegunud');

    const missing = await page.goto(`${api.url}/s/no-such-survey-here?lang=tr`);
    expect(missing!.status()).toBe(404);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('Anket bulunamadı');
    await page.screenshot({ path: 'tmp/survey-page-404.png', fullPage: true });
    expect(await storedFor(surveyId)).toHaveLength(0);
  });

  it('shows the API refusal when a link stops being valid while the page is open', async () => {
    const surveyId = await givenSurvey(api, { questions: ['nps'] });
    const { token } = await givenLink(api, surveyId);
    const { page } = await browser.open(api.url);
    await page.goto(`${api.url}/s/${surveyId}?t=${encodeURIComponent(token)}&score=3&lang=sr`);
    // The page was valid when served; the API now refuses (as for a link that expired meanwhile).
    await page.route('**/v1/responses', (route) =>
      route.fulfill({
        status: 403,
        contentType: 'application/json',
        body: JSON.stringify({
          error: { code: 'invalid_token', message: 'The link token is missing, invalid or expired for this survey.' },
        }),
      }),
    );
    await page.getByRole('button', { name: 'Пошаљи' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent(), { timeout: 10_000 })
      .toContain('Овај линк није важећи или је истекао');
    expect(await page.getByRole('heading', { name: 'Хвала вам!' }).isVisible()).toBe(false);
  });
});
