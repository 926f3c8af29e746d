/** The survey page's languages: the contract's four, Serbian in Cyrillic. Anything else falls back to English. */
export const PAGE_LOCALES = ['en', 'tr', 'sr', 'et'] as const;
export type PageLocale = (typeof PAGE_LOCALES)[number];

/** The `lang` attribute of each locale's page. */
export const HTML_LANG: Record<PageLocale, string> = { en: 'en', tr: 'tr', sr: 'sr-Cyrl', et: 'et' };

export interface SurveyMessages {
  heading: string;
  intro: string;
  nps: string;
  npsLow: string;
  npsHigh: string;
  csat: string;
  csatLow: string;
  csatHigh: string;
  ces: string;
  cesLow: string;
  cesHigh: string;
  comment: string;
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
    nps: 'How likely are you to recommend us to a friend or colleague?',
    npsLow: 'Not at all likely',
    npsHigh: 'Extremely likely',
    csat: 'How satisfied are you with your experience?',
    csatLow: 'Very dissatisfied',
    csatHigh: 'Very satisfied',
    ces: 'How easy was it to get what you needed?',
    cesLow: 'Very difficult',
    cesHigh: 'Very easy',
    comment: 'What is the main reason for your answer?',
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
    nps: 'Bizi bir arkadaşınıza veya iş arkadaşınıza tavsiye etme olasılığınız nedir?',
    npsLow: 'Hiç olası değil',
    npsHigh: 'Son derece olası',
    csat: 'Deneyiminizden ne kadar memnun kaldınız?',
    csatLow: 'Hiç memnun değilim',
    csatHigh: 'Çok memnunum',
    ces: 'İhtiyacınız olanı elde etmek ne kadar kolaydı?',
    cesLow: 'Çok zor',
    cesHigh: 'Çok kolay',
    comment: 'Bu yanıtı vermenizin ana nedeni nedir?',
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
    nps: 'Колико је вероватно да бисте нас препоручили пријатељу или колеги?',
    npsLow: 'Уопште није вероватно',
    npsHigh: 'Изузетно вероватно',
    csat: 'Колико сте задовољни својим искуством?',
    csatLow: 'Веома незадовољни',
    csatHigh: 'Веома задовољни',
    ces: 'Колико вам је било лако да добијете оно што вам је требало?',
    cesLow: 'Веома тешко',
    cesHigh: 'Веома лако',
    comment: 'Који је главни разлог за ваш одговор?',
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
    nps: 'Kui tõenäoliselt soovitaksite meid sõbrale või kolleegile?',
    npsLow: 'Üldse mitte tõenäoliselt',
    npsHigh: 'Väga tõenäoliselt',
    csat: 'Kui rahul olete oma kogemusega?',
    csatLow: 'Väga rahulolematu',
    csatHigh: 'Väga rahul',
    ces: 'Kui lihtne oli saada seda, mida vajasite?',
    cesLow: 'Väga keeruline',
    cesHigh: 'Väga lihtne',
    comment: 'Mis on teie vastuse peamine põhjus?',
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
 * The page's language: `?lang=` when it names one of ours, else the first of ours in `Accept-Language` by
 * quality, else English.
 */
export function pickLocale(langParam: string | undefined, acceptLanguage: string | undefined): PageLocale {
  if (langParam) {
    const lang = primary(langParam);
    if (isPageLocale(lang)) return lang;
  }
  const ranked = (acceptLanguage ?? '')
    .slice(0, 1000)
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const weight = params.find((p) => /^\s*q=/i.test(p));
      // A malformed weight ranks nowhere rather than first.
      const q = weight === undefined ? 1 : /^\s*q=(0(\.\d{0,3})?|1(\.0{0,3})?)\s*$/i.test(weight) ? Number(weight.split('=')[1]) : NaN;
      return { lang: primary(tag), q, index };
    })
    .filter((entry) => entry.q > 0 && !Number.isNaN(entry.q))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((entry) => entry.lang).find(isPageLocale) ?? 'en';
}

export const format = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
