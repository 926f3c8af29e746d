import { LOCALES, type Locale } from '#core/questions/types.ts';

/**
 * The survey page's languages: the contract's four, Serbian in Cyrillic. Anything else falls back to English.
 * The questions' own copy lives with each question type (core/questions); these are the page's other words.
 */
export const PAGE_LOCALES = LOCALES;
export type PageLocale = Locale;

/** The `lang` attribute of each locale's page. */
export const HTML_LANG: Record<PageLocale, string> = { en: 'en', tr: 'tr', sr: 'sr-Cyrl', et: 'et' };

export interface SurveyMessages {
  heading: string;
  intro: string;
  optional: string;
  charsLeft: string;
  submit: string;
  sending: string;
  required: string;
  thanksTitle: string;
  thanksBody: string;
  change: string;
  previous: string;
  invalidTitle: string;
  invalidBody: string;
  notFoundTitle: string;
  notFoundBody: string;
  failed: string;
  offline: string;
  tooMany: string;
  noscript: string;
}

export const MESSAGES: Record<PageLocale, SurveyMessages> = {
  en: {
    heading: 'We value your feedback',
    intro: 'It takes less than a minute.',
    optional: 'optional',
    charsLeft: '{n} characters left',
    submit: 'Send feedback',
    sending: 'Sending…',
    required: 'Please choose a score for at least one question.',
    thanksTitle: 'Thank you!',
    thanksBody: 'Your feedback has been received. It helps us improve.',
    change: 'Change my answer',
    previous: 'You have already answered. Sending again replaces your earlier answer.',
    invalidTitle: 'This link is invalid or has expired',
    invalidBody: 'Please use the latest link we sent you, or contact us for a new one.',
    notFoundTitle: 'Survey not found',
    notFoundBody: 'Check the link: this survey does not exist or has been removed.',
    failed: 'Something went wrong. Please try again.',
    offline: 'We could not reach the server. Check your connection and try again.',
    tooMany: 'Too many attempts. Please wait a moment and try again.',
    noscript: 'Please enable JavaScript to send your answer.',
  },
  tr: {
    heading: 'Görüşünüz bizim için değerli',
    intro: 'Bir dakikadan kısa sürer.',
    optional: 'isteğe bağlı',
    charsLeft: '{n} karakter kaldı',
    submit: 'Gönder',
    sending: 'Gönderiliyor…',
    required: 'Lütfen en az bir soru için puan seçin.',
    thanksTitle: 'Teşekkür ederiz!',
    thanksBody: 'Geri bildiriminiz alındı. Kendimizi geliştirmemize yardımcı oluyor.',
    change: 'Yanıtımı değiştir',
    previous: 'Bu ankete daha önce yanıt verdiniz. Yeniden gönderirseniz önceki yanıtınız güncellenir.',
    invalidTitle: 'Bu bağlantı geçersiz veya süresi dolmuş',
    invalidBody: 'Lütfen size gönderdiğimiz en son bağlantıyı kullanın ya da yeni bir bağlantı için bizimle iletişime geçin.',
    notFoundTitle: 'Anket bulunamadı',
    notFoundBody: 'Bağlantıyı kontrol edin: bu anket mevcut değil veya kaldırılmış.',
    failed: 'Bir sorun oluştu. Lütfen tekrar deneyin.',
    offline: 'Sunucuya ulaşılamadı. Bağlantınızı kontrol edip tekrar deneyin.',
    tooMany: 'Çok fazla deneme yapıldı. Lütfen biraz bekleyip tekrar deneyin.',
    noscript: 'Yanıtınızı göndermek için lütfen JavaScript’i etkinleştirin.',
  },
  sr: {
    heading: 'Ваше мишљење нам је важно',
    intro: 'Потребно је мање од минута.',
    optional: 'није обавезно',
    charsLeft: 'Преостало знакова: {n}',
    submit: 'Пошаљи',
    sending: 'Слање…',
    required: 'Изаберите оцену за бар једно питање.',
    thanksTitle: 'Хвала вам!',
    thanksBody: 'Примили смо ваше мишљење. Помаже нам да будемо бољи.',
    change: 'Промени одговор',
    previous: 'Већ сте одговорили. Ако поново пошаљете, претходни одговор ће бити замењен.',
    invalidTitle: 'Овај линк није важећи или је истекао',
    invalidBody: 'Користите најновији линк који смо вам послали или нас контактирајте да бисте добили нови.',
    notFoundTitle: 'Анкета није пронађена',
    notFoundBody: 'Проверите линк: ова анкета не постоји или је уклоњена.',
    failed: 'Дошло је до грешке. Покушајте поново.',
    offline: 'Сервер није доступан. Проверите везу и покушајте поново.',
    tooMany: 'Превише покушаја. Сачекајте мало и покушајте поново.',
    noscript: 'Укључите JavaScript да бисте послали одговор.',
  },
  et: {
    heading: 'Teie arvamus on meile oluline',
    intro: 'Vastamine võtab vähem kui minuti.',
    optional: 'valikuline',
    charsLeft: 'Jäänud {n} märki',
    submit: 'Saada',
    sending: 'Saatmine…',
    required: 'Palun valige hinne vähemalt ühele küsimusele.',
    thanksTitle: 'Aitäh!',
    thanksBody: 'Teie tagasiside on kätte saadud. See aitab meil paremaks saada.',
    change: 'Muuda vastust',
    previous: 'Olete juba vastanud. Uuesti saatmine asendab teie varasema vastuse.',
    invalidTitle: 'See link on kehtetu või aegunud',
    invalidBody: 'Kasutage viimast linki, mille teile saatsime, või võtke uue lingi saamiseks meiega ühendust.',
    notFoundTitle: 'Küsitlust ei leitud',
    notFoundBody: 'Kontrollige linki: seda küsitlust ei ole olemas või see on eemaldatud.',
    failed: 'Midagi läks valesti. Palun proovige uuesti.',
    offline: 'Serveriga ei saanud ühendust. Kontrollige ühendust ja proovige uuesti.',
    tooMany: 'Liiga palju katseid. Oodake veidi ja proovige uuesti.',
    noscript: 'Vastuse saatmiseks lubage JavaScript.',
  },
};

const isPageLocale = (tag: string): tag is PageLocale => (PAGE_LOCALES as readonly string[]).includes(tag);

/** The primary language subtag of a BCP 47 tag, lower-cased: `sr-Latn-RS` → `sr`. */
const primary = (tag: string) => tag.trim().split(/[-_]/)[0]!.toLowerCase();

/**
 * The page's language: `?lang=` when it names one of ours, else the customer's stored `locale` (a link names the
 * customer) when it is one of ours, else the first of ours in `Accept-Language` by quality, else English.
 */
export function pickLocale(
  langParam: string | undefined,
  acceptLanguage: string | undefined,
  customerLocale?: string,
): PageLocale {
  for (const tag of [langParam, customerLocale]) {
    const lang = tag ? primary(tag) : '';
    if (isPageLocale(lang)) return lang;
  }
  const ranked = (acceptLanguage ?? '')
    .slice(0, 1000)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const weight = params.find((p) => /^\s*q=/i.test(p));
      // A malformed weight ranks nowhere rather than first.
      const q =
        weight === undefined ? 1 : /^\s*q=(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/i.test(weight) ? Number(weight.split('=')[1]) : NaN;
      return { lang: primary(tag), q, index };
    })
    .filter((entry) => entry.q > 0 && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.lang).find(isPageLocale) ?? 'en';
}

export const format = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
