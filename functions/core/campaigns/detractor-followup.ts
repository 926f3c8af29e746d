import { addDays } from '../dates.ts';
import { defineCampaign } from './campaign.ts';

/** A personal follow-up to the customers who answered NPS 0–6 the day before, quoting their comment; the team hears too. */
export const detractorFollowup = defineCampaign({
  id: 'detractor-followup',
  periodDays: 1,
  notifiesTeam: true,
  defaultSchedule: 'cron(0 9 * * ? *)',
  select: (runDate) => [{ index: 'npsDay', day: addDays(runDate, -1), npsClass: 'detractor' }],
  // The npsDay index holds answers: the customer's first answer of the day selects them.
  candidate: ({ answer }, { runDate }) => (answer ? { period: runDate, answer } : undefined),
  copy: {
    en: {
      subject: 'About your feedback: we want to make it right',
      blocks: [
        'Thank you for taking the time to tell us about your experience yesterday. You rated us {{score}} out of 10, and we are sorry that we did not meet your expectations.',
        { intro: 'You wrote:', quote: '{{comment}}' },
        'We have shared your feedback with our team, and one of us will look into it personally. If there is anything you would like to add, simply reply to this email: your reply reaches a real person.',
        '{{#offer}}As an apology: {{offer}}{{/offer}}',
        'We hope to earn back your trust, and we look forward to hearing from you again.',
      ],
    },
    tr: {
      subject: 'Geri bildiriminiz hakkında: durumu düzeltmek istiyoruz',
      blocks: [
        'Dün deneyiminizi bizimle paylaşmak için zaman ayırdığınız için teşekkür ederiz. Bizi 10 üzerinden {{score}} puanla değerlendirdiniz; beklentilerinizi karşılayamadığımız için üzgünüz.',
        { intro: 'Yazdıklarınız:', quote: '{{comment}}' },
        'Geri bildiriminizi ekibimizle paylaştık; ekibimizden biri konuyla bizzat ilgilenecek. Eklemek istediğiniz bir şey olursa bu e-postayı yanıtlamanız yeterli: yanıtınız doğrudan ekibimizden birine ulaşır.',
        '{{#offer}}Özrümüzün bir ifadesi olarak: {{offer}}{{/offer}}',
        'Güveninizi yeniden kazanmayı umuyor, sizden tekrar haber almayı dört gözle bekliyoruz.',
      ],
    },
    sr: {
      subject: 'Поводом ваше оцене: желимо да исправимо пропуст',
      blocks: [
        'Хвала вам што сте јуче одвојили време да нам опишете своје искуство. Оценили сте нас оценом {{score}} од 10 и жао нам је што нисмо испунили ваша очекивања.',
        { intro: 'Написали сте:', quote: '{{comment}}' },
        'Ваше мишљење смо проследили тиму и неко од нас ће се лично позабавити њиме. Ако желите нешто да додате, само одговорите на ову поруку: ваш одговор стиже директно до нашег тима.',
        '{{#offer}}Као знак извињења: {{offer}}{{/offer}}',
        'Надамо се да ћемо поново заслужити ваше поверење и радујемо се што ћемо се поново чути.',
      ],
    },
    et: {
      subject: 'Teie tagasiside kohta: soovime asja heastada',
      blocks: [
        'Aitäh, et leidsite eile aega oma kogemusest meile rääkida. Andsite meile hindeks {{score}} punkti kümnest ja meil on väga kahju, et me teie ootustele ei vastanud.',
        { intro: 'Te kirjutasite:', quote: '{{comment}}' },
        'Edastasime teie tagasiside oma meeskonnale ja keegi meist tegeleb sellega isiklikult. Kui soovite midagi lisada, vastake lihtsalt sellele kirjale: teie vastus jõuab otse meie meeskonnani.',
        '{{#offer}}Vabanduse märgiks: {{offer}}{{/offer}}',
        'Loodame teie usalduse tagasi võita ja teist peagi jälle kuulda.',
      ],
    },
  },
});
