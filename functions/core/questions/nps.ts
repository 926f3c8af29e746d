import { scaleQuestion } from './types.ts';

/** Net Promoter Score: likelihood to recommend, 0–10. */
export const nps = scaleQuestion({
  id: 'nps',
  label: 'NPS',
  min: 0,
  max: 10,
  scoring: { kind: 'netPromoter', promoterFrom: 9, passiveFrom: 7 },
  copy: {
    en: {
      question: 'How likely are you to recommend us to a friend or colleague?',
      low: 'Not at all likely',
      high: 'Extremely likely',
    },
    tr: {
      question: 'Bizi bir arkadaşınıza veya iş arkadaşınıza tavsiye etme olasılığınız nedir?',
      low: 'Hiç olası değil',
      high: 'Son derece olası',
    },
    sr: {
      question: 'Колико је вероватно да бисте нас препоручили пријатељу или колеги?',
      low: 'Уопште није вероватно',
      high: 'Изузетно вероватно',
    },
    et: {
      question: 'Kui tõenäoliselt soovitaksite meid sõbrale või kolleegile?',
      low: 'Üldse mitte tõenäoliselt',
      high: 'Väga tõenäoliselt',
    },
  },
});
