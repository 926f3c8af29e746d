import { textQuestion } from './types.ts';

/** The free-text reason for the answers: optional, not scored, up to 2000 characters. */
export const comment = textQuestion({
  id: 'comment',
  label: 'Comment',
  maxLength: 2000,
  copy: {
    en: { question: 'What is the main reason for your answer?' },
    tr: { question: 'Bu yanıtı vermenizin ana nedeni nedir?' },
    sr: { question: 'Који је главни разлог за ваш одговор?' },
    et: { question: 'Mis on teie vastuse peamine põhjus?' },
  },
});
