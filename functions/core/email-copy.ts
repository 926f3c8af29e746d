/**
 * The words every email shares (greeting, sign-off, footer), as mustache templates, one set per language; each
 * email's own subject and paragraphs (`MessageCopy`) live with its definition (a campaign's in its file under
 * campaigns/). Each paragraph renders into both parts: escaped into `<p>` for HTML, as is for text. A paragraph
 * that renders empty (no offer, no comment) is left out. View: name, score, comment, offer.
 */
export const EMAIL_LANGUAGES = ['en', 'tr', 'sr', 'et'] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];

/**
 * A paragraph; the customer's own words quoted; a scale question with one-click answer links (the view's `answers`,
 * `low` and `high` name the ends); or a link to the view's `surveyUrl`, with this label.
 */
export type Block = string | { quote: string; intro: string } | { scale: string; low: string; high: string } | { link: string };

/** One email's own words: its subject and paragraphs. */
export interface MessageCopy {
  subject: string;
  blocks: Block[];
}

export interface LanguageCopy {
  /** `lang` of the HTML part. */
  htmlLang: string;
  /** "Dear <name>," with a fallback when the name is unknown. */
  greeting: string;
  /** "Best wishes," before the sender's name and title. */
  signOff: string;
  /** Why they get this email, before the unsubscribe link. */
  footer: string;
  unsubscribe: string;
}

export const EMAIL_COPY: Record<EmailLanguage, LanguageCopy> = {
  en: {
    htmlLang: 'en',
    greeting: '{{#name}}Dear {{name}},{{/name}}{{^name}}Dear customer,{{/name}}',
    signOff: 'Best wishes,',
    footer: 'You are receiving this email because you are our customer.',
    unsubscribe: 'Unsubscribe from these emails',
  },
  tr: {
    htmlLang: 'tr',
    greeting: '{{#name}}Sayın {{name}},{{/name}}{{^name}}Değerli müşterimiz,{{/name}}',
    signOff: 'En iyi dileklerimizle,',
    footer: 'Bu e-postayı müşterimiz olduğunuz için alıyorsunuz.',
    unsubscribe: 'Bu e-postaları almak istemiyorum',
  },
  sr: {
    htmlLang: 'sr-Cyrl',
    greeting: '{{#name}}Поштовани/а {{name}},{{/name}}{{^name}}Поштовани корисниче,{{/name}}',
    signOff: 'Срдачан поздрав,',
    footer: 'Ову поруку добијате зато што сте наш корисник.',
    unsubscribe: 'Одјавите се са ових порука',
  },
  et: {
    htmlLang: 'et',
    greeting: '{{#name}}Hea {{name}}!{{/name}}{{^name}}Hea klient!{{/name}}',
    signOff: 'Parimate soovidega',
    footer: 'Saite selle kirja, sest olete meie klient.',
    unsubscribe: 'Loobu nendest kirjadest',
  },
};

/** The unsubscribe page's words. */
export interface UnsubscribePageCopy {
  title: string;
  body: string;
  button: string;
  doneTitle: string;
  doneBody: string;
}

export const UNSUBSCRIBE_PAGE_COPY: Record<EmailLanguage, UnsubscribePageCopy> = {
  en: {
    title: 'Unsubscribe from our emails',
    body: 'Press the button to stop receiving appreciation emails from us.',
    button: 'Unsubscribe',
    doneTitle: 'You are unsubscribed',
    doneBody: 'You will not receive these emails any more.',
  },
  tr: {
    title: 'E-posta aboneliğinden çıkın',
    body: 'Bizden teşekkür e-postaları almayı bırakmak için düğmeye basın.',
    button: 'Abonelikten çık',
    doneTitle: 'Abonelikten çıktınız',
    doneBody: 'Bu e-postaları artık almayacaksınız.',
  },
  sr: {
    title: 'Одјава са наших порука',
    body: 'Притисните дугме ако више не желите да добијате наше поруке захвалности.',
    button: 'Одјави ме',
    doneTitle: 'Одјављени сте',
    doneBody: 'Ове поруке више нећете добијати.',
  },
  et: {
    title: 'Loobu meie kirjadest',
    body: 'Vajutage nuppu, kui te ei soovi meilt enam tänukirju saada.',
    button: 'Loobun kirjadest',
    doneTitle: 'Olete kirjadest loobunud',
    doneBody: 'Te ei saa neid kirju enam.',
  },
};
