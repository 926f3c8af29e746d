import Mustache from 'mustache';
import { accentOf, logoOf, type Brand } from './brand.ts';
import { CAMPAIGNS, type CampaignId } from './campaigns/registry.ts';
import { EMAIL_COPY, UNSUBSCRIBE_PAGE_COPY, type EmailLanguage, type LanguageCopy, type MessageCopy } from './email-copy.ts';
import { UNSAFE_TEXT } from './schemas.ts';

/**
 * Renders emails (each kind's own copy inside the shared layout and words of email-copy.ts) and the unsubscribe
 * page with mustache (HTML-escaped by default), never by concatenating customer data into markup.
 */

/** How an email is written: one of our languages, and for Serbian the script. */
export interface EmailLocale {
  language: EmailLanguage;
  /** Serbian readers who asked for Latin script (`sr-Latn`) get the Cyrillic copy transliterated. */
  latin: boolean;
}

/**
 * BCP 47 matching on the primary language subtag (`tr-TR` → tr, `et-EE` → et); `sr` with the `Latn` script subtag
 * is Serbian in Latin script; anything else is English.
 */
export function resolveEmailLocale(tag: string | undefined): EmailLocale {
  const subtags = (tag ?? '').trim().toLowerCase().split(/[-_]/);
  const primary = subtags[0] ?? '';
  if (primary === 'tr' || primary === 'et' || primary === 'en') return { language: primary, latin: false };
  if (primary === 'sr') return { language: 'sr', latin: subtags.slice(1).includes('latn') };
  return { language: 'en', latin: false };
}

// Serbian Cyrillic to Latin is one-to-one (Gaj's alphabet), so no separate Latin copy is needed.
const SERBIAN_LATIN: Record<string, string> = {
  А: 'A',
  Б: 'B',
  В: 'V',
  Г: 'G',
  Д: 'D',
  Ђ: 'Đ',
  Е: 'E',
  Ж: 'Ž',
  З: 'Z',
  И: 'I',
  Ј: 'J',
  К: 'K',
  Л: 'L',
  Љ: 'Lj',
  М: 'M',
  Н: 'N',
  Њ: 'Nj',
  О: 'O',
  П: 'P',
  Р: 'R',
  С: 'S',
  Т: 'T',
  Ћ: 'Ć',
  У: 'U',
  Ф: 'F',
  Х: 'H',
  Ц: 'C',
  Ч: 'Č',
  Џ: 'Dž',
  Ш: 'Š',
};
for (const [upper, latin] of Object.entries(SERBIAN_LATIN)) SERBIAN_LATIN[upper.toLowerCase()] = latin.toLowerCase();

export const toSerbianLatin = (text: string): string => text.replace(/[\u0400-\u04ff]/g, (c) => SERBIAN_LATIN[c] ?? c);

// Transliterate the copy, not the rendered email: the customer's own name and comment stay as they wrote them.
const inScript = <T>(copy: T, locale: EmailLocale): T =>
  locale.latin ? (JSON.parse(toSerbianLatin(JSON.stringify(copy))) as T) : copy;

export interface EmailView {
  name?: string;
  score?: number;
  comment?: string;
  offer?: string;
  /**
   * Who the email comes from: its name signs it off (after the closing in the customer's language) and is `{{brand}}`
   * in the copy, its logo heads it, its colour marks links and answer buttons.
   */
  brand: Brand;
  unsubscribeUrl: string;
  /** A `scale` block's one-click links: each answer and the URL that opens the survey with it preselected. */
  answers?: ReadonlyArray<{ value: number; url: string }>;
  /** A `link` block's target: the survey. */
  surveyUrl?: string;
}

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
  /** The language the email was written in (`sr-Latn` for transliterated Serbian). */
  language: string;
}

const asText = { escape: (value: unknown) => String(value) };
const asHtml = { escape: Mustache.escape };

const LAYOUT = `<!doctype html>
<html lang="{{lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{subject}}</title></head>
<body style="margin:0;padding:0;background:#f4f5f7;">
<div style="max-width:560px;margin:0 auto;padding:32px 24px;font-family:Helvetica,Arial,sans-serif;font-size:16px;line-height:1.5;color:#1f2328;background:#ffffff;">
{{#logoUrl}}<img src="{{logoUrl}}" alt="{{brandName}}" style="display:block;max-width:160px;max-height:48px;margin:0 0 24px;border:0;">
{{/logoUrl}}{{{content}}}
<p style="margin:24px 0 0;">{{signOff}}<br>{{brandName}}</p>
<hr style="border:none;border-top:1px solid #d0d7de;margin:32px 0 16px;">
<p style="margin:0;font-size:13px;color:#57606a;">{{footer}} <a href="{{unsubscribeUrl}}" style="color:#57606a;">{{unsubscribe}}</a></p>
</div>
</body>
</html>
`;

/** A scale question's one-click answers: a row of buttons in the brand's colour, and what the two ends mean. */
const ANSWER_ROW = `<table role="presentation" cellspacing="0" cellpadding="0" style="border-collapse:separate;border-spacing:4px;margin:0 0 4px;"><tr>
{{#answers}}<td><a href="{{url}}" style="display:inline-block;min-width:28px;padding:8px 4px;text-align:center;border:1px solid {{accent}};border-radius:4px;color:{{accent}};font-weight:bold;text-decoration:none;">{{value}}</a></td>{{/answers}}
</tr></table>
<p style="margin:0 0 16px;font-size:13px;color:#57606a;">{{ends}}</p>`;

const LINK = `<p style="margin:0 0 16px;"><a href="{{url}}" style="color:{{accent}};">{{label}}</a></p>`;

/** Renders one campaign's email for a customer. */
export const renderEmail = (campaignId: CampaignId, locale: EmailLocale, view: EmailView): RenderedEmail =>
  renderMessage(CAMPAIGNS[campaignId].copy, locale, view);

/** Text safe for a mail header: controls and bidi controls become spaces, runs of spaces one. */
export const oneLine = (text: string): string =>
  text.replace(new RegExp(UNSAFE_TEXT.source, 'gu'), ' ').replace(/ {2,}/g, ' ').trim();

/** Renders one email for a customer from its own copy: subject, an HTML part and a text part from the same words. */
export function renderMessage(
  messageCopy: Record<EmailLanguage, MessageCopy>,
  locale: EmailLocale,
  view: EmailView,
): RenderedEmail {
  const copy: LanguageCopy = inScript(EMAIL_COPY[locale.language], locale);
  const message: MessageCopy = inScript(messageCopy[locale.language], locale);
  const data = {
    name: view.name?.trim() || undefined,
    score: view.score,
    comment: view.comment?.trim() || undefined,
    offer: view.offer?.trim() || undefined,
    brand: view.brand.name,
  };
  const accent = accentOf(view.brand);
  const render = (template: string, options: typeof asText) => Mustache.render(template, data, {}, options).trim();

  const html: string[] = [`<p style="margin:0 0 16px;">${render(copy.greeting, asHtml)}</p>`];
  const text: string[] = [render(copy.greeting, asText)];
  for (const block of message.blocks) {
    if (typeof block === 'object' && 'scale' in block) {
      const answers = view.answers ?? [];
      if (!answers.length) continue;
      const [low, high] = [answers[0]!, answers.at(-1)!];
      const ends = `${low.value} = ${render(block.low, asText)} · ${high.value} = ${render(block.high, asText)}`;
      html.push(
        `<p style="margin:0 0 12px;font-weight:bold;">${render(block.scale, asHtml)}</p>`,
        Mustache.render(ANSWER_ROW, { answers, accent, ends }),
      );
      text.push([render(block.scale, asText), ...answers.map((a) => `${a.value}: ${a.url}`), `(${ends})`].join('\n'));
    } else if (typeof block === 'object' && 'link' in block) {
      if (!view.surveyUrl) continue;
      const label = render(block.link, asText);
      html.push(Mustache.render(LINK, { url: view.surveyUrl, label, accent }));
      text.push(`${label}: ${view.surveyUrl}`);
    } else if (typeof block === 'string') {
      const paragraph = render(block, asText);
      if (!paragraph) continue;
      html.push(`<p style="margin:0 0 16px;">${render(block, asHtml)}</p>`);
      text.push(paragraph);
    } else {
      const quote = render(block.quote, asText);
      if (!quote) continue;
      html.push(
        `<p style="margin:0 0 8px;">${render(block.intro, asHtml)}</p>`,
        `<blockquote style="margin:0 0 16px;padding:8px 16px;border-left:4px solid #d0d7de;color:#57606a;white-space:pre-line;">${render(block.quote, asHtml)}</blockquote>`,
      );
      text.push(
        `${render(block.intro, asText)}\n${quote
          .split(/\r?\n/)
          .map((line) => `> ${line}`)
          .join('\n')}`,
      );
    }
  }

  // A header: one line, whatever a stored name holds (older data, imports), and nothing that reorders what is read.
  const subject = oneLine(render(message.subject, asText));
  const layoutView = {
    lang: locale.latin ? 'sr-Latn' : copy.htmlLang,
    subject,
    content: html.join('\n'),
    signOff: copy.signOff,
    logoUrl: logoOf(view.brand),
    brandName: view.brand.name,
    footer: copy.footer,
    unsubscribe: copy.unsubscribe,
    unsubscribeUrl: view.unsubscribeUrl,
  };
  text.push(`${copy.signOff}\n${view.brand.name}`, `--\n${copy.footer}\n${copy.unsubscribe}: ${view.unsubscribeUrl}`);
  return {
    subject,
    html: Mustache.render(LAYOUT, layoutView),
    text: `${text.join('\n\n')}\n`,
    language: layoutView.lang,
  };
}

const PAGE = `<!doctype html>
<html lang="{{lang}}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex, nofollow"><title>{{title}}</title></head>
<body style="font-family:Helvetica,Arial,sans-serif;max-width:480px;margin:64px auto;padding:0 24px;color:#1f2328;">
<h1 style="font-size:24px;">{{title}}</h1>
<p>{{body}}</p>
{{#action}}<form method="post" action="{{action}}"><button type="submit" style="font-size:16px;padding:10px 20px;">{{button}}</button></form>{{/action}}
</body>
</html>
`;

/** The unsubscribe page: a confirm button that POSTs (`action`), or, once done, the confirmation. */
export function renderUnsubscribePage(locale: EmailLocale, state: { action: string } | 'done'): string {
  const language = locale.language;
  const copy = inScript(UNSUBSCRIBE_PAGE_COPY[language], locale);
  const lang = locale.latin ? 'sr-Latn' : EMAIL_COPY[language].htmlLang;
  return state === 'done'
    ? Mustache.render(PAGE, { lang, title: copy.doneTitle, body: copy.doneBody })
    : Mustache.render(PAGE, { lang, title: copy.title, body: copy.body, button: copy.button, action: state.action });
}
