import type { Brand } from '../brand.ts';
import type { EmailLanguage, MessageCopy } from '../email-copy.ts';
import { renderMessage, type EmailLocale, type RenderedEmail } from '../emails.ts';
import { SCALE_QUESTIONS, type ScaleType } from '../questions/index.ts';

/**
 * The invitation and its reminder: the survey's first scale question as one-click answer links (each opens the
 * hosted page with that answer preselected), a plain link to the survey, from the brand, in the customer's
 * language. The question's words come from its definition, so a new question type needs nothing here.
 */

export const INVITATION_EMAILS = ['invitation', 'reminder'] as const;
export type InvitationEmail = (typeof INVITATION_EMAILS)[number];

/**
 * The question an invitation asks: the survey's first scale question in the registry's order (NPS, else CSAT, else
 * CES); none when the survey has only text questions (then the email offers the plain link alone).
 */
export const firstScaleQuestion = (questions: readonly string[]): ScaleType | undefined =>
  SCALE_QUESTIONS.find((q) => questions.includes(q.id));

/** Each email's own words around the question (`{{brand}}`, `{{name}}` available), one set per language. */
const WORDS: Record<InvitationEmail, Record<EmailLanguage, { subject: string; ask: string; link: string; thanks: string }>> = {
  invitation: {
    en: {
      subject: 'Your opinion matters to us – {{brand}}',
      ask: 'We would like to know how we are doing. One click is all it takes:',
      link: 'Open the survey',
      thanks: 'Thank you for your time.',
    },
    tr: {
      subject: 'Görüşünüz bizim için önemli – {{brand}}',
      ask: 'Sizin için nasıl bir deneyim sunduğumuzu öğrenmek istiyoruz. Tek bir tıklama yeterli:',
      link: 'Anketi açın',
      thanks: 'Zaman ayırdığınız için teşekkür ederiz.',
    },
    sr: {
      subject: 'Ваше мишљење нам је важно – {{brand}}',
      ask: 'Желимо да знамо како смо се показали. Довољан је један клик:',
      link: 'Отворите анкету',
      thanks: 'Хвала вам на времену.',
    },
    et: {
      subject: 'Teie arvamus on meile oluline – {{brand}}',
      ask: 'Soovime teada, kuidas meil läheb. Vastamiseks piisab ühest klõpsust:',
      link: 'Ava küsitlus',
      thanks: 'Täname, et leidsite aega.',
    },
  },
  reminder: {
    en: {
      subject: 'A reminder: your opinion matters to us – {{brand}}',
      ask: 'A few days ago we asked for your opinion. If you have a moment, one click is all it takes:',
      link: 'Open the survey',
      thanks: 'Thank you.',
    },
    tr: {
      subject: 'Hatırlatma: görüşünüz bizim için önemli – {{brand}}',
      ask: 'Birkaç gün önce görüşünüzü sormuştuk. Bir dakikanız varsa tek bir tıklama yeterli:',
      link: 'Anketi açın',
      thanks: 'Teşekkür ederiz.',
    },
    sr: {
      subject: 'Подсетник: ваше мишљење нам је важно – {{brand}}',
      ask: 'Пре неколико дана питали смо вас за мишљење. Ако имате тренутак, довољан је један клик:',
      link: 'Отворите анкету',
      thanks: 'Хвала вам.',
    },
    et: {
      subject: 'Meeldetuletus: teie arvamus on meile oluline – {{brand}}',
      ask: 'Mõni päev tagasi küsisime teie arvamust. Kui teil on hetk aega, piisab vastamiseks ühest klõpsust:',
      link: 'Ava küsitlus',
      thanks: 'Täname!',
    },
  },
};

/** The email's copy for a question: its words, with the question and its two ends from the registry. */
function messageCopy(email: InvitationEmail, question: ScaleType | undefined): Record<EmailLanguage, MessageCopy> {
  const copy = {} as Record<EmailLanguage, MessageCopy>;
  for (const [language, words] of Object.entries(WORDS[email]) as [EmailLanguage, (typeof WORDS)[InvitationEmail]['en']][]) {
    const asked = question?.copy[language];
    copy[language] = {
      subject: words.subject,
      blocks: [
        ...(asked ? [words.ask, { scale: asked.question, low: asked.low, high: asked.high }] : []),
        { link: words.link },
        words.thanks,
      ],
    };
  }
  return copy;
}

export interface InvitationView {
  name?: string;
  brand: Brand;
  /** The survey page's link for this invitation (`/s/{surveyId}?t=…`): the plain link, and each answer's base. */
  surveyUrl: string;
  unsubscribeUrl: string;
}

/** Renders an invitation or its reminder for one customer; `question`: the survey's `firstScaleQuestion`. */
export function renderInvitation(
  email: InvitationEmail,
  question: ScaleType | undefined,
  locale: EmailLocale,
  view: InvitationView,
): RenderedEmail {
  const answers = [];
  if (question)
    for (let value = question.min; value <= question.max; value++)
      answers.push({ value, url: `${view.surveyUrl}&score=${value}` });
  return renderMessage(messageCopy(email, question), locale, {
    name: view.name,
    brand: view.brand,
    unsubscribeUrl: view.unsubscribeUrl,
    answers,
    surveyUrl: view.surveyUrl,
  });
}
