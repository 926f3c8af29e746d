import { scaleQuestion } from './types.ts';

/** Customer Satisfaction: 1–5; the score is the share of 4s and 5s. */
export const csat = scaleQuestion({
  id: 'csat',
  label: 'CSAT',
  min: 1,
  max: 5,
  scoring: { kind: 'topBox', from: 4, meaning: 'satisfied' },
  copy: {
    en: { question: 'How satisfied are you with your experience?', low: 'Very dissatisfied', high: 'Very satisfied' },
    tr: { question: 'Deneyiminizden ne kadar memnun kaldınız?', low: 'Hiç memnun değilim', high: 'Çok memnunum' },
    sr: { question: 'Колико сте задовољни својим искуством?', low: 'Веома незадовољни', high: 'Веома задовољни' },
    et: { question: 'Kui rahul olete oma kogemusega?', low: 'Väga rahulolematu', high: 'Väga rahul' },
  },
});
