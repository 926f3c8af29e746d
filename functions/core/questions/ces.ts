import { scaleQuestion } from './types.ts';

/** Customer Effort Score: 1 (very difficult) – 7 (very easy); the score is the average. */
export const ces = scaleQuestion({
  id: 'ces',
  label: 'CES',
  min: 1,
  max: 7,
  scoring: { kind: 'average', meaning: 'average effort' },
  copy: {
    en: { question: 'How easy was it to get what you needed?', low: 'Very difficult', high: 'Very easy' },
    tr: { question: 'İhtiyacınız olanı elde etmek ne kadar kolaydı?', low: 'Çok zor', high: 'Çok kolay' },
    sr: { question: 'Колико вам је било лако да добијете оно што вам је требало?', low: 'Веома тешко', high: 'Веома лако' },
    et: { question: 'Kui lihtne oli saada seda, mida vajasite?', low: 'Väga keeruline', high: 'Väga lihtne' },
  },
});
