import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SCALE_QUESTIONS } from '../../functions/core/questions/index.ts';
import { DASHBOARD_SCRIPT, SURVEY_SCRIPT } from '../../functions/pages/browser-bundles.generated.ts';
import { DASHBOARD_HEADERS, renderDashboardPage } from '../../functions/pages/dashboard-page.ts';
import { escapeHtml, jsonForScript } from '../../functions/pages/html.ts';
import { MESSAGES, PAGE_LOCALES, pickLocale } from '../../functions/pages/i18n.ts';
import { renderSurveyPage, renderSurveyProblem, surveyPageHeaders } from '../../functions/pages/survey-page.ts';
import { bundleScripts } from '../../scripts/build-pages.ts';
import { PAGE_LOCALE_CASES } from '../support/locale-cases.ts';

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;
const survey = { surveyId: 's-1', name: 'Onboarding', questions: ['nps', 'comment'] };

describe('page helpers', () => {
  it('escapes every character that could open markup or leave an attribute', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&\`</a>`)).toBe(
      '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#96;&#60;/a&#62;',
    );
  });

  it('writes JSON for a script block that cannot close the tag and parses back unchanged', () => {
    const value = { t: '</script><script>alert(1)</script>', s: '\u2028 & <!--' };
    const out = jsonForScript(value);
    expect(out).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(out)).toEqual(value);
  });

  it.each(PAGE_LOCALE_CASES)('picks the page language from lang=%s and Accept-Language %s: %s', (lang, accept, expected) => {
    expect(pickLocale(lang, accept)).toBe(expected);
  });

  it('has every message in every language', () => {
    const keys = Object.keys(MESSAGES.en).sort();
    for (const locale of PAGE_LOCALES) {
      expect(Object.keys(MESSAGES[locale]).sort()).toEqual(keys);
      for (const text of Object.values(MESSAGES[locale])) expect(text.trim()).not.toBe('');
    }
    expect(MESSAGES.sr.submit).toMatch(/^[\u0400-\u04FF]+$/); // Serbian in Cyrillic
  });
});

describe('renderSurveyPage', () => {
  it('shows the survey name, the answers and a prefilled comment as text', () => {
    const html = renderSurveyPage({
      locale: 'en',
      survey: { ...survey, name: '<img src=x onerror=alert(1)>' },
      token: 'k1.abc.def',
      channel: 'web',
      selected: { nps: 7, comment: '</textarea><script>alert(2)</script>' },
    });
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
    expect(html).toContain('&#60;/textarea&#62;&#60;script&#62;alert(2)');
    expect(html.match(/<script/g)).toHaveLength(2); // the data block and the page script, nothing else
    expect(html).toContain('<input type="radio" name="nps" value="7" checked>');
    expect(html.match(/ checked/g)).toHaveLength(1);
  });

  it('hands the script the asked questions in page order, and how long each text answer may be', () => {
    const html = renderSurveyPage({ locale: 'en', survey: { ...survey, questions: ['comment', 'ces'] }, channel: 'web' });
    const data = JSON.parse(/<script type="application\/json" id="page-data">(.*?)<\/script>/.exec(html)![1]!);
    expect(data.fields).toEqual([
      { id: 'ces', kind: 'scale' },
      { id: 'comment', kind: 'text', maxLength: 2000 },
    ]);
    expect(html.match(/name="ces"/g)).toHaveLength(7);
    expect(html.indexOf('name="ces"')).toBeLessThan(html.indexOf('<textarea'));
  });

  it('asks only the survey questions, with the 0–10 NPS scale and its end labels', () => {
    const html = renderSurveyPage({ locale: 'en', survey, channel: 'web' });
    expect(html.match(/name="nps"/g)).toHaveLength(11);
    expect(html).not.toContain('name="csat"');
    expect(html).not.toContain('name="ces"');
    expect(html).toContain('Not at all likely');
    expect(html).toContain('Extremely likely');
    expect(html).toContain('maxlength="2000"');
  });

  it('allows exactly its own script and style in the Content-Security-Policy', () => {
    const html = renderSurveyPage({ locale: 'tr', survey, channel: 'web' });
    const csp = surveyPageHeaders([])['content-security-policy']!;
    expect(html).toContain(`<script>${SURVEY_SCRIPT}</script>`);
    expect(csp).toContain(`script-src ${hashOf(SURVEY_SCRIPT)};`);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1]!;
    expect(csp).toContain(`style-src ${hashOf(style)};`);
    expect(csp).not.toMatch(/unsafe-(inline|eval)|https?:/);
    expect(/<style>([\s\S]*?)<\/style>/.exec(renderSurveyProblem('et', 'invalid'))![1]).toBe(style);
  });

  it('renders the problem pages in the visitor language', () => {
    expect(renderSurveyProblem('sr', 'notFound')).toContain('<h1>Анкета није пронађена</h1>');
    expect(renderSurveyProblem('et', 'invalid')).toContain('lang="et"');
  });
});

describe('the browser bundles', () => {
  it('are up to date with functions/pages/browser (if not: run `npm run pages`)', async () => {
    const fresh = await bundleScripts();
    const stale = 'functions/pages/browser-bundles.generated.ts is stale: run `npm run pages` and commit it';
    expect(SURVEY_SCRIPT === fresh.SURVEY_SCRIPT, stale).toBe(true);
    expect(DASHBOARD_SCRIPT === fresh.DASHBOARD_SCRIPT, stale).toBe(true);
  });

  it.each([
    ['survey', SURVEY_SCRIPT],
    ['dashboard', DASHBOARD_SCRIPT],
  ])('keep the %s script inline-safe: nothing that ends the script element or leaves ASCII', (_name, script) => {
    expect(script.length).toBeGreaterThan(1000);
    expect(script).not.toMatch(/<\/script|<!--/i);
    expect(script).toMatch(/^[\x20-\x7e]*$/);
  });
});

describe('renderDashboardPage', () => {
  it('is a static shell whose only script is allowed by hash', () => {
    const html = renderDashboardPage();
    expect(html).toContain(`<script>${DASHBOARD_SCRIPT}</script>`);
    expect(DASHBOARD_HEADERS['content-security-policy']).toContain(`script-src ${hashOf(DASHBOARD_SCRIPT)};`);
    expect(html).not.toMatch(/(src|href)="https?:/);
  });

  it('shows each scale question type: a tile, a trend unless its score is an average, and its role in the page data', () => {
    const html = renderDashboardPage();
    for (const q of SCALE_QUESTIONS) {
      expect(html).toContain(`<div class="kpi" id="kpi-${q.id}"><div class="label">${q.label}</div>`);
      expect(html.includes(`id="chart-${q.id}"`)).toBe(q.scoring.kind !== 'average');
    }
    const data = JSON.parse(/<script type="application\/json" id="page-data">(.*?)<\/script>/.exec(html)![1]!);
    expect(data.metrics.map((m: { id: string }) => m.id)).toEqual(SCALE_QUESTIONS.map((q) => q.id));
    expect(data.metrics[0]).toEqual({
      id: 'nps',
      label: 'NPS',
      min: 0,
      max: 10,
      low: 'Not at all likely',
      high: 'Extremely likely',
      scoring: { kind: 'netPromoter', promoterFrom: 9, passiveFrom: 7 },
    });
  });
});
