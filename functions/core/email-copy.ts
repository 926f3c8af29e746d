import type { CampaignId } from './campaigns.ts';

/**
 * The appreciation emails' words, as mustache templates, one set per language. Each paragraph renders into both
 * parts: escaped into `<p>` for HTML, as is for text. A paragraph that renders empty (no offer, no comment) is left
 * out. View: name, score, comment, offer, signOffName, signOffTitle.
 */
export const EMAIL_LANGUAGES = ['en', 'tr', 'sr', 'et'] as const;
export type EmailLanguage = (typeof EMAIL_LANGUAGES)[number];

/** A paragraph, or the customer's own words quoted. */
export type Block = string | { quote: string; intro: string };

export interface CampaignCopy {
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
  campaigns: Record<CampaignId, CampaignCopy>;
}

export const EMAIL_COPY: Record<EmailLanguage, LanguageCopy> = {
  en: {
    htmlLang: 'en',
    greeting: '{{#name}}Dear {{name}},{{/name}}{{^name}}Dear customer,{{/name}}',
    signOff: 'Best wishes,',
    footer: 'You are receiving this email because you are our customer.',
    unsubscribe: 'Unsubscribe from these emails',
    campaigns: {
      'promoter-thanks': {
        subject: 'Thank you for your kind words{{#name}}, {{name}}{{/name}}',
        blocks: [
          'Thank you for rating us {{score}} out of 10 yesterday. Hearing that you would recommend us to a friend or colleague means a great deal to the whole team.',
          'Customers like you are the reason we love what we do. We will keep working to deserve your trust.',
          '{{#offer}}As a small thank-you: {{offer}}{{/offer}}',
          'We look forward to hearing from you again.',
        ],
      },
      'detractor-followup': {
        subject: 'About your feedback: we want to make it right',
        blocks: [
          'Thank you for taking the time to tell us about your experience yesterday. You rated us {{score}} out of 10, and we are sorry that we did not meet your expectations.',
          { intro: 'You wrote:', quote: '{{comment}}' },
          'We have shared your feedback with our team, and one of us will look into it personally. If there is anything you would like to add, simply reply to this email: your reply reaches a real person.',
          '{{#offer}}As an apology: {{offer}}{{/offer}}',
          'We hope to earn back your trust, and we look forward to hearing from you again.',
        ],
      },
      'win-back': {
        subject: 'We miss you{{#name}}, {{name}}{{/name}}',
        blocks: [
          'It has been a while since we last heard from you, and we miss you.',
          'Your feedback has helped us improve, and a lot has changed since then. We would love to know what you think of us today: simply reply to this email.',
          '{{#offer}}To welcome you back: {{offer}}{{/offer}}',
          'We look forward to hearing from you again.',
        ],
      },
      birthday: {
        subject: 'Happy birthday{{#name}}, {{name}}{{/name}}!',
        blocks: [
          'Happy birthday! Everyone here wishes you a wonderful day and a year full of good things.',
          'Thank you for being with us, and for the feedback you have shared with us along the way.',
          '{{#offer}}Our small gift to you: {{offer}}{{/offer}}',
          'We look forward to hearing from you again.',
        ],
      },
    },
  },
  tr: {
    htmlLang: 'tr',
    greeting: '{{#name}}Sayın {{name}},{{/name}}{{^name}}Değerli müşterimiz,{{/name}}',
    signOff: 'En iyi dileklerimizle,',
    footer: 'Bu e-postayı müşterimiz olduğunuz için alıyorsunuz.',
    unsubscribe: 'Bu e-postaları almak istemiyorum',
    campaigns: {
      'promoter-thanks': {
        subject: 'Güzel sözleriniz için teşekkürler{{#name}}, {{name}}{{/name}}',
        blocks: [
          'Dün bizi 10 üzerinden {{score}} puanla değerlendirdiğiniz için çok teşekkür ederiz. Bizi bir arkadaşınıza ya da iş arkadaşınıza tavsiye edeceğinizi bilmek tüm ekibimiz için çok değerli.',
          'Sizin gibi müşteriler, işimizi severek yapmamızın en büyük sebebi. Güveninizi hak etmek için çalışmaya devam edeceğiz.',
          '{{#offer}}Küçük bir teşekkür olarak: {{offer}}{{/offer}}',
          'Sizden yeniden haber almayı dört gözle bekliyoruz.',
        ],
      },
      'detractor-followup': {
        subject: 'Geri bildiriminiz hakkında: durumu düzeltmek istiyoruz',
        blocks: [
          'Dün deneyiminizi bizimle paylaşmak için zaman ayırdığınız için teşekkür ederiz. Bizi 10 üzerinden {{score}} puanla değerlendirdiniz; beklentilerinizi karşılayamadığımız için üzgünüz.',
          { intro: 'Yazdıklarınız:', quote: '{{comment}}' },
          'Geri bildiriminizi ekibimizle paylaştık; ekibimizden biri konuyla bizzat ilgilenecek. Eklemek istediğiniz bir şey olursa bu e-postayı yanıtlamanız yeterli: yanıtınız doğrudan ekibimizden birine ulaşır.',
          '{{#offer}}Özrümüzün bir ifadesi olarak: {{offer}}{{/offer}}',
          'Güveninizi yeniden kazanmayı umuyor, sizden tekrar haber almayı dört gözle bekliyoruz.',
        ],
      },
      'win-back': {
        subject: 'Sizi özledik{{#name}}, {{name}}{{/name}}',
        blocks: [
          'Sizden haber almayalı epey oldu ve sizi özledik.',
          'Geri bildirimleriniz gelişmemize yardımcı oldu ve o günden bu yana pek çok şey değişti. Bugün hakkımızda ne düşündüğünüzü çok merak ediyoruz: bu e-postayı yanıtlamanız yeterli.',
          '{{#offer}}Sizi yeniden aramızda görmek için: {{offer}}{{/offer}}',
          'Sizden yeniden haber almayı dört gözle bekliyoruz.',
        ],
      },
      birthday: {
        subject: 'Doğum gününüz kutlu olsun{{#name}}, {{name}}{{/name}}!',
        blocks: [
          'Doğum gününüz kutlu olsun! Tüm ekibimiz olarak size güzel bir gün ve mutluluk dolu bir yıl diliyoruz.',
          'Bizimle olduğunuz ve bugüne kadar bizimle paylaştığınız geri bildirimler için teşekkür ederiz.',
          '{{#offer}}Size küçük bir hediyemiz var: {{offer}}{{/offer}}',
          'Sizden yeniden haber almayı dört gözle bekliyoruz.',
        ],
      },
    },
  },
  sr: {
    htmlLang: 'sr-Cyrl',
    greeting: '{{#name}}Поштовани/а {{name}},{{/name}}{{^name}}Поштовани корисниче,{{/name}}',
    signOff: 'Срдачан поздрав,',
    footer: 'Ову поруку добијате зато што сте наш корисник.',
    unsubscribe: 'Одјавите се са ових порука',
    campaigns: {
      'promoter-thanks': {
        subject: 'Хвала вам на лепим речима{{#name}}, {{name}}{{/name}}',
        blocks: [
          'Хвала вам што сте нас јуче оценили оценом {{score}} од 10. Сазнање да бисте нас препоручили пријатељу или колеги много значи целом нашем тиму.',
          'Корисници попут вас су разлог зашто волимо свој посао. Трудићемо се да и даље оправдамо ваше поверење.',
          '{{#offer}}Као мали знак захвалности: {{offer}}{{/offer}}',
          'Радујемо се што ћемо се поново чути.',
        ],
      },
      'detractor-followup': {
        subject: 'Поводом ваше оцене: желимо да исправимо пропуст',
        blocks: [
          'Хвала вам што сте јуче одвојили време да нам опишете своје искуство. Оценили сте нас оценом {{score}} од 10 и жао нам је што нисмо испунили ваша очекивања.',
          { intro: 'Написали сте:', quote: '{{comment}}' },
          'Ваше мишљење смо проследили тиму и неко од нас ће се лично позабавити њиме. Ако желите нешто да додате, само одговорите на ову поруку: ваш одговор стиже директно до нашег тима.',
          '{{#offer}}Као знак извињења: {{offer}}{{/offer}}',
          'Надамо се да ћемо поново заслужити ваше поверење и радујемо се што ћемо се поново чути.',
        ],
      },
      'win-back': {
        subject: 'Недостајете нам{{#name}}, {{name}}{{/name}}',
        blocks: [
          'Прошло је доста времена откако смо се последњи пут чули и недостајете нам.',
          'Ваше мишљење нам је помогло да напредујемо, а од тада се много тога променило. Волели бисмо да чујемо шта данас мислите о нама: само одговорите на ову поруку.',
          '{{#offer}}Као добродошлицу назад: {{offer}}{{/offer}}',
          'Радујемо се што ћемо се поново чути.',
        ],
      },
      birthday: {
        subject: 'Срећан рођендан{{#name}}, {{name}}{{/name}}!',
        blocks: [
          'Срећан рођендан! Цео наш тим вам жели диван дан и годину пуну лепих тренутака.',
          'Хвала вам што сте уз нас и на свим мишљењима која сте са нама поделили.',
          '{{#offer}}Наш мали поклон за вас: {{offer}}{{/offer}}',
          'Радујемо се што ћемо се поново чути.',
        ],
      },
    },
  },
  et: {
    htmlLang: 'et',
    greeting: '{{#name}}Hea {{name}}!{{/name}}{{^name}}Hea klient!{{/name}}',
    signOff: 'Parimate soovidega',
    footer: 'Saite selle kirja, sest olete meie klient.',
    unsubscribe: 'Loobu nendest kirjadest',
    campaigns: {
      'promoter-thanks': {
        subject: 'Aitäh teie heade sõnade eest{{#name}}, {{name}}{{/name}}',
        blocks: [
          'Aitäh, et andsite meile eile hindeks {{score}} punkti kümnest. Teadmine, et soovitaksite meid sõbrale või kolleegile, on kogu meie meeskonnale väga oluline.',
          'Just teiesugused kliendid on põhjus, miks me oma tööd armastame. Anname endast parima, et teie usaldust ka edaspidi väärida.',
          '{{#offer}}Väikese tänutähena: {{offer}}{{/offer}}',
          'Loodame teist peagi jälle kuulda.',
        ],
      },
      'detractor-followup': {
        subject: 'Teie tagasiside kohta: soovime asja heastada',
        blocks: [
          'Aitäh, et leidsite eile aega oma kogemusest meile rääkida. Andsite meile hindeks {{score}} punkti kümnest ja meil on väga kahju, et me teie ootustele ei vastanud.',
          { intro: 'Te kirjutasite:', quote: '{{comment}}' },
          'Edastasime teie tagasiside oma meeskonnale ja keegi meist tegeleb sellega isiklikult. Kui soovite midagi lisada, vastake lihtsalt sellele kirjale: teie vastus jõuab otse meie meeskonnani.',
          '{{#offer}}Vabanduse märgiks: {{offer}}{{/offer}}',
          'Loodame teie usalduse tagasi võita ja teist peagi jälle kuulda.',
        ],
      },
      'win-back': {
        subject: 'Me igatseme teid{{#name}}, {{name}}{{/name}}',
        blocks: [
          'Teist pole juba tükk aega midagi kuulda olnud ja me igatseme teid.',
          'Teie tagasiside on aidanud meil paremaks saada ja sellest ajast on palju muutunud. Tahaksime väga teada, mida te meist täna arvate: vastake lihtsalt sellele kirjale.',
          '{{#offer}}Teie tagasituleku puhuks: {{offer}}{{/offer}}',
          'Loodame teist peagi jälle kuulda.',
        ],
      },
      birthday: {
        subject: 'Palju õnne sünnipäevaks{{#name}}, {{name}}{{/name}}!',
        blocks: [
          'Palju õnne sünnipäevaks! Kogu meie meeskond soovib teile toredat päeva ja rõõmurohket aastat.',
          'Aitäh, et olete meiega, ja aitäh tagasiside eest, mida olete meiega jaganud.',
          '{{#offer}}Meie väike kingitus teile: {{offer}}{{/offer}}',
          'Loodame teist peagi jälle kuulda.',
        ],
      },
    },
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
