import { addDays } from '../dates.ts';
import { defineCampaign } from './campaign.ts';

/** A thank-you to the customers who answered NPS 9–10 the day before, with their name and score. */
export const promoterThanks = defineCampaign({
  id: 'promoter-thanks',
  periodDays: 1,
  notifiesTeam: false,
  defaultSchedule: 'cron(0 9 * * ? *)',
  select: (runDate) => [{ index: 'npsDay', day: addDays(runDate, -1), npsClass: 'promoter' }],
  // The npsDay index holds answers: the customer's first answer of the day selects them.
  candidate: ({ answer }, { runDate }) => (answer ? { period: runDate, answer } : undefined),
  copy: {
    en: {
      subject: 'Thank you for your kind words{{#name}}, {{name}}{{/name}}',
      blocks: [
        'Thank you for rating us {{score}} out of 10 yesterday. Hearing that you would recommend us to a friend or colleague means a great deal to the whole team.',
        'Customers like you are the reason we love what we do. We will keep working to deserve your trust.',
        '{{#offer}}As a small thank-you: {{offer}}{{/offer}}',
        'We look forward to hearing from you again.',
      ],
    },
    tr: {
      subject: 'Güzel sözleriniz için teşekkürler{{#name}}, {{name}}{{/name}}',
      blocks: [
        'Dün bizi 10 üzerinden {{score}} puanla değerlendirdiğiniz için çok teşekkür ederiz. Bizi bir arkadaşınıza ya da iş arkadaşınıza tavsiye edeceğinizi bilmek tüm ekibimiz için çok değerli.',
        'Sizin gibi müşteriler, işimizi severek yapmamızın en büyük sebebi. Güveninizi hak etmek için çalışmaya devam edeceğiz.',
        '{{#offer}}Küçük bir teşekkür olarak: {{offer}}{{/offer}}',
        'Sizden yeniden haber almayı dört gözle bekliyoruz.',
      ],
    },
    sr: {
      subject: 'Хвала вам на лепим речима{{#name}}, {{name}}{{/name}}',
      blocks: [
        'Хвала вам што сте нас јуче оценили оценом {{score}} од 10. Сазнање да бисте нас препоручили пријатељу или колеги много значи целом нашем тиму.',
        'Корисници попут вас су разлог зашто волимо свој посао. Трудићемо се да и даље оправдамо ваше поверење.',
        '{{#offer}}Као мали знак захвалности: {{offer}}{{/offer}}',
        'Радујемо се што ћемо се поново чути.',
      ],
    },
    et: {
      subject: 'Aitäh teie heade sõnade eest{{#name}}, {{name}}{{/name}}',
      blocks: [
        'Aitäh, et andsite meile eile hindeks {{score}} punkti kümnest. Teadmine, et soovitaksite meid sõbrale või kolleegile, on kogu meie meeskonnale väga oluline.',
        'Just teiesugused kliendid on põhjus, miks me oma tööd armastame. Anname endast parima, et teie usaldust ka edaspidi väärida.',
        '{{#offer}}Väikese tänutähena: {{offer}}{{/offer}}',
        'Loodame teist peagi jälle kuulda.',
      ],
    },
  },
});
