import { describe, expect, it } from 'vitest';
import { DEFAULT_BRAND, inkOn, logoOrigin, parseBrand } from '../../functions/core/brand.ts';
import { firstScaleQuestion } from '../../functions/core/questions/index.ts';
import { pickLocale } from '../../functions/pages/i18n.ts';
import { renderSurveyPage, renderSurveyProblem, surveyPageHeaders } from '../../functions/pages/survey-page.ts';

const BRAND = { name: 'Acme <Outdoor>', logoUrl: 'https://cdn.acme.example/logo.png?v=2', color: '#3949ab' };
const survey = { surveyId: 's-1', name: 'After your order', questions: ['nps', 'comment'] };

describe('the brand', () => {
  it('is read from its JSON, dropping what is unsafe, and defaults when absent or unreadable', () => {
    expect(parseBrand(JSON.stringify(BRAND))).toEqual(BRAND);
    expect(parseBrand(undefined)).toEqual(DEFAULT_BRAND);
    expect(parseBrand('{not json')).toEqual(DEFAULT_BRAND);
    expect(parseBrand(JSON.stringify({ name: 'Acme', logoUrl: 'http://cdn.acme.example/logo.png', color: 'red' }))).toEqual({
      name: 'Acme',
    });
    expect(parseBrand(JSON.stringify({ name: 'Acme', logoUrl: 'javascript:alert(1)' }))).toEqual({ name: 'Acme' });
    expect(logoOrigin('https://cdn.acme.example:8443/a/logo.svg')).toBe('https://cdn.acme.example:8443');
    expect(logoOrigin('https://user:pw@cdn.acme.example/logo.png')).toBeUndefined();
  });

  it('picks the text colour that reads on its colour', () => {
    expect(inkOn('#3949ab')).toBe('#fff');
    expect(inkOn('#000000')).toBe('#fff');
    expect(inkOn('#ffdd00')).toBe('#10121a');
    expect(inkOn('#ffffff')).toBe('#10121a');
  });

  it('shows on the survey page and its problem pages, whose CSP allows the style and the logo by origin only', () => {
    const headers = surveyPageHeaders([], BRAND);
    const csp = headers['content-security-policy']!;
    expect(csp).toContain('img-src data: https://cdn.acme.example;');
    const page = renderSurveyPage({ locale: 'en', survey, channel: 'email', brand: BRAND });
    expect(page).toContain('<img src="https://cdn.acme.example/logo.png?v=2" alt="Acme &#60;Outdoor&#62;">');
    expect(page).toContain('--accent:#3949ab;--accent-ink:#fff');
    const style = /<style>([\s\S]*?)<\/style>/.exec(page)![1]!;
    expect(/<style>([\s\S]*?)<\/style>/.exec(renderSurveyProblem('tr', 'invalid', BRAND))![1]).toBe(style);
    // The default brand: its name, the default colours, no image origin.
    const plain = renderSurveyPage({ locale: 'en', survey, channel: 'email' });
    expect(plain).toContain('<div class="brand"><span>The Customer Team</span></div>');
    expect(plain).not.toContain('--accent-ink:#fff}');
    expect(surveyPageHeaders([])['content-security-policy']).toContain('img-src data:;');
  });
});

describe('the survey page of a link that names a customer', () => {
  it("speaks ?lang=, else the customer's locale when it is one of ours, else Accept-Language, else English", () => {
    expect(pickLocale(undefined, 'en-US,en;q=0.9', 'tr-TR')).toBe('tr');
    expect(pickLocale(undefined, 'en', 'sr-Cyrl-RS')).toBe('sr');
    expect(pickLocale('et', 'en', 'tr')).toBe('et');
    expect(pickLocale('xx', 'en', 'tr')).toBe('tr');
    expect(pickLocale(undefined, 'et-EE,en;q=0.5', 'de-AT')).toBe('et');
    expect(pickLocale(undefined, 'de-DE', undefined)).toBe('en');
  });

  it('preselects on the first scale question, in page order: NPS, else CSAT, else CES', () => {
    expect(firstScaleQuestion(['comment', 'ces', 'nps'])?.id).toBe('nps');
    expect(firstScaleQuestion(['ces', 'csat'])?.id).toBe('csat');
    expect(firstScaleQuestion(['comment', 'ces'])?.id).toBe('ces');
    expect(firstScaleQuestion(['comment'])).toBeUndefined();
  });
});
