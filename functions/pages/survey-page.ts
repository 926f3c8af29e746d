import { DEFAULT_BRAND, inkOn, logoOrigin, type Brand } from '#core/brand.ts';
import { QUESTION_TYPES, SCALE_QUESTIONS, type Answers } from '#core/questions/index.ts';
import type { QuestionDefinition, ScaleQuestion, TextQuestion } from '#core/questions/types.ts';
import { SURVEY_SCRIPT } from './browser-bundles.generated.ts';
import { escapeHtml, pageHeaders, renderDocument } from './html.ts';
import { format, HTML_LANG, MESSAGES, type PageLocale, type SurveyMessages } from './i18n.ts';
import type { SurveyField, SurveyPageData } from './page-data.ts';
import { BASE_CSS } from './styles.ts';

/** A row of n buttons per scale length the question types use. */
const SCALE_WIDTHS = [...new Set(SCALE_QUESTIONS.map((q) => q.max - q.min + 1))].map((n) => `.scale-${n}{--n:${n}}`).join('');

const SURVEY_CSS = `${BASE_CSS}
body{display:flex;justify-content:center;padding:1.5rem 1rem 3rem}
.card{width:100%;max-width:680px;background:var(--card);border:1px solid var(--line);border-radius:var(--radius);
padding:2rem 2rem 2.25rem;box-shadow:0 1px 2px rgba(16,24,40,.06),0 8px 24px rgba(16,24,40,.06)}
.brand{display:flex;align-items:center;gap:.6rem;margin:0 0 1.25rem;font-weight:700;font-size:1.05rem}
.brand img{display:block;max-width:160px;max-height:48px;width:auto;height:auto}
.eyebrow{margin:0 0 .25rem;color:var(--accent);font-weight:600;font-size:.95rem}
h1{font-size:1.6rem}
.head{margin-bottom:1.75rem}
.head p:last-child{margin:0}
fieldset{border:0;margin:0;padding:0;min-width:0}
.q{margin:0 0 1.75rem}
.q legend,.q>label{display:block;font-weight:600;font-size:1.05rem;margin:0 0 .75rem;padding:0}
.scale{display:grid;gap:.4rem;grid-template-columns:repeat(var(--n),minmax(0,1fr))}
${SCALE_WIDTHS}
.opt{position:relative;display:block}
.opt input{position:absolute;inset:0;width:100%;height:100%;margin:0;opacity:0;cursor:pointer}
.opt span{display:flex;align-items:center;justify-content:center;min-height:46px;border:1px solid var(--line);border-radius:8px;
background:var(--card);font-weight:600;font-variant-numeric:tabular-nums;transition:background .12s,border-color .12s,color .12s}
.opt:hover span{border-color:var(--accent);background:var(--accent-soft)}
.opt input:checked+span{background:var(--accent);border-color:var(--accent);color:var(--accent-ink)}
.opt input:focus-visible+span{outline:3px solid var(--focus);outline-offset:2px}
.ends{display:flex;justify-content:space-between;gap:1rem;margin-top:.5rem;font-size:.85rem;color:var(--muted)}
.ends span:last-child{text-align:right}
textarea{display:block;width:100%;min-height:7rem;padding:.75rem;border:1px solid var(--line);border-radius:8px;background:var(--card);resize:vertical}
textarea:focus-visible{outline:3px solid var(--focus);outline-offset:1px;border-color:var(--accent)}
.hint{margin:.35rem 0 0;font-size:.85rem;color:var(--muted);text-align:right}
.status:empty{display:none}
.actions{display:flex;justify-content:flex-end}
.thanks{text-align:center;padding:1.5rem 0 .5rem}
.thanks:focus{outline:none}
.mark{display:inline-flex;width:64px;height:64px;border-radius:50%;align-items:center;justify-content:center;margin-bottom:1rem;background:var(--accent-soft);color:var(--accent)}
.mark.bad{color:var(--bad);background:var(--bad-soft)}
.card.problem{max-width:520px;text-align:center;padding:2.5rem 2rem;margin-top:8vh}
.problem .brand{justify-content:center}
.problem p:last-child{margin:0}
@media (max-width:560px){
body{padding:0}
.card{border-radius:0;border-width:0 0 1px;box-shadow:none;padding:1.5rem 1.1rem 2rem;min-height:100vh}
h1{font-size:1.35rem}
.scale{gap:.25rem}
.opt span{font-size:.95rem}
.card.problem{margin-top:0}
.actions .btn{width:100%}
}
@media (max-width:359px){.scale-11{--n:6;gap:.4rem}}`;

const CHECK_ICON =
  '<svg width="32" height="32" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.5" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d="M20 6 9 17l-5-5"/></svg>';
const ALERT_ICON =
  '<svg width="32" height="32" viewBox="0 0 24 24" fill="none" stroke="currentColor" stroke-width="2.2" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><circle cx="12" cy="12" r="10"/><path d="M12 7v6M12 17h.01"/></svg>';

/** The page's style in the brand's colour (a lighter tint of it on dark backgrounds), with text that reads on it. */
function surveyCss(brand: Brand): string {
  if (!brand.color) return SURVEY_CSS;
  const c = brand.color;
  const dark = `color-mix(in srgb,${c} 55%,#fff)`;
  return `${SURVEY_CSS}
:root{--accent:${c};--accent-ink:${inkOn(c)};--accent-soft:color-mix(in srgb,${c} 12%,#fff)}
@media (prefers-color-scheme:dark){:root{--accent:${dark};--accent-ink:#10121a;--accent-soft:color-mix(in srgb,${c} 25%,#1c1f2b)}}`;
}

/**
 * The page's headers: its only style and script are these constants (the style in the brand's colour), its only
 * image from outside the brand's logo, and only the team's own sites (config `allowedOrigins`, for the website
 * widget) may frame it.
 */
export function surveyPageHeaders(frameAncestors: readonly string[], brand: Brand = DEFAULT_BRAND): Record<string, string> {
  const logo = brand.logoUrl ? logoOrigin(brand.logoUrl) : undefined;
  return pageHeaders({ scripts: [SURVEY_SCRIPT], styles: [surveyCss(brand)] }, frameAncestors, logo ? [logo] : []);
}

/** The brand at the top of the page: its logo (named by its alt text), else its name. */
const brandMark = (brand: Brand) =>
  `<div class="brand">${
    brand.logoUrl && logoOrigin(brand.logoUrl)
      ? `<img src="${escapeHtml(brand.logoUrl)}" alt="${escapeHtml(brand.name)}">`
      : `<span>${escapeHtml(brand.name)}</span>`
  }</div>`;

export interface SurveyPageInput {
  locale: PageLocale;
  survey: { surveyId: string; name: string; questions: readonly string[] };
  /** The link token, handed back to the API on submit; absent for an anonymous survey opened without one. */
  token?: string;
  /** The answers to show selected: a one-click score, or the link's earlier answers. */
  selected?: Answers;
  /** True when the link was answered before: the page says a new answer replaces it. */
  answeredBefore?: boolean;
  channel: string;
  /** Who the survey comes from; the default brand without. */
  brand?: Brand;
}

function renderScale(question: ScaleQuestion, locale: PageLocale, selected: number | undefined): string {
  const { id, min, max } = question;
  const { question: text, low, high } = question.copy[locale];
  const options: string[] = [];
  for (let value = min; value <= max; value++) {
    options.push(
      `<label class="opt"><input type="radio" name="${id}" value="${value}"${value === selected ? ' checked' : ''}><span>${value}</span></label>`,
    );
  }
  return `<fieldset class="q" role="radiogroup" aria-labelledby="q-${id}" aria-describedby="q-${id}-ends">
<legend id="q-${id}">${escapeHtml(text)}</legend>
<div class="scale scale-${max - min + 1}">${options.join('')}</div>
<div class="ends" id="q-${id}-ends"><span>${min} · ${escapeHtml(low)}</span><span>${max} · ${escapeHtml(high)}</span></div>
</fieldset>`;
}

function renderText(question: TextQuestion, locale: PageLocale, t: SurveyMessages, value: string | undefined): string {
  const { id, maxLength } = question;
  const left = maxLength - (value?.length ?? 0);
  return `<div class="q">
<label for="${id}">${escapeHtml(question.copy[locale].question)} <span class="muted">(${escapeHtml(t.optional)})</span></label>
<textarea id="${id}" name="${id}" maxlength="${maxLength}" rows="4" aria-describedby="${id}-count">${escapeHtml(value ?? '')}</textarea>
<p class="hint" id="${id}-count">${escapeHtml(format(t.charsLeft, { n: left }))}</p>
</div>`;
}

/** A question as the page shows it; a new kind of question is a compile error here until the page can show it. */
function renderQuestion(question: QuestionDefinition, locale: PageLocale, t: SurveyMessages, selected: Answers): string {
  const answer = (selected as Record<string, unknown>)[question.id];
  switch (question.kind) {
    case 'scale':
      return renderScale(question, locale, typeof answer === 'number' ? answer : undefined);
    case 'text':
      return renderText(question, locale, t, typeof answer === 'string' ? answer : undefined);
  }
}

/** What the page's script needs to collect a question's answer (see browser/survey.ts). */
function fieldOf(question: QuestionDefinition): SurveyField {
  switch (question.kind) {
    case 'scale':
      return { id: question.id, kind: 'scale' };
    case 'text':
      return { id: question.id, kind: 'text', maxLength: question.maxLength };
  }
}

/** The hosted survey: only the survey's questions; the script posts the answers as JSON to `POST /v1/responses`. */
export function renderSurveyPage(input: SurveyPageInput): string {
  const t = MESSAGES[input.locale];
  const { survey, selected = {}, brand = DEFAULT_BRAND } = input;
  const asked = QUESTION_TYPES.filter((q) => survey.questions.includes(q.id));
  const questions = asked.map((q) => renderQuestion(q, input.locale, t, selected));
  const fields = asked.map(fieldOf);

  const body = `<main class="card">
<header class="head">
${brandMark(brand)}
<p class="eyebrow">${escapeHtml(survey.name)}</p>
<h1>${escapeHtml(t.heading)}</h1>
<p class="muted">${escapeHtml(t.intro)}</p>
</header>
<noscript><p class="notice error">${escapeHtml(t.noscript)}</p></noscript>
${input.answeredBefore ? `<p class="notice" id="previous">${escapeHtml(t.previous)}</p>` : ''}
<form id="survey" novalidate>
${questions.join('\n')}
<p class="notice error status" id="status" role="alert" aria-live="assertive"></p>
<div class="actions"><button type="submit" class="btn">${escapeHtml(t.submit)}</button></div>
</form>
<section class="thanks" id="thanks" tabindex="-1" aria-labelledby="thanks-title" hidden>
<div class="mark">${CHECK_ICON}</div>
<h2 id="thanks-title">${escapeHtml(t.thanksTitle)}</h2>
<p class="muted">${escapeHtml(t.thanksBody)}</p>
<button type="button" class="btn secondary" id="again">${escapeHtml(t.change)}</button>
</section>
</main>`;

  return renderDocument({
    lang: HTML_LANG[input.locale],
    title: `${survey.name} · ${t.heading}`,
    style: surveyCss(brand),
    body,
    script: SURVEY_SCRIPT,
    data: {
      surveyId: survey.surveyId,
      token: input.token,
      channel: input.channel,
      fields,
      t: {
        submit: t.submit,
        sending: t.sending,
        required: t.required,
        charsLeft: t.charsLeft,
        invalid: `${t.invalidTitle}. ${t.invalidBody}`,
        notFound: `${t.notFoundTitle}. ${t.notFoundBody}`,
        failed: t.failed,
        offline: t.offline,
        tooMany: t.tooMany,
      },
    } satisfies SurveyPageData,
  });
}

/** The page for a link that cannot be answered: `invalid` (bad or expired token, 403) or `notFound` (404). */
export function renderSurveyProblem(locale: PageLocale, problem: 'invalid' | 'notFound', brand: Brand = DEFAULT_BRAND): string {
  const t = MESSAGES[locale];
  const [title, text] = problem === 'invalid' ? [t.invalidTitle, t.invalidBody] : [t.notFoundTitle, t.notFoundBody];
  return renderDocument({
    lang: HTML_LANG[locale],
    title,
    style: surveyCss(brand),
    body: `<main class="card problem">
${brandMark(brand)}
<div class="mark bad">${ALERT_ICON}</div>
<h1>${escapeHtml(title)}</h1>
<p class="muted">${escapeHtml(text)}</p>
</main>`,
  });
}
