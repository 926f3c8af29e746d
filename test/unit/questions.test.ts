import { describe, expect, it } from 'vitest';
import {
  answersOf,
  METRICS,
  QUESTION_TYPES,
  QUESTIONS,
  SCALE_QUESTIONS,
  TEXT_QUESTIONS,
} from '../../functions/core/questions/index.ts';
import { LOCALES } from '../../functions/core/questions/types.ts';
import { RESPONSE_CSV_COLUMNS } from '../../functions/core/responses.ts';
import { responseBody, surveyBody } from '../../functions/core/schemas.ts';
import { COUNTERS, countAnswers, scoreOf, scoresOf } from '../../functions/core/scores.ts';

/** Every question type must be complete and consistent: what a new type's author gets checked for free. */
describe('the question registry', () => {
  it('lists each id once, each a plain lower-case field name', () => {
    expect(new Set(QUESTIONS).size).toBe(QUESTIONS.length);
    for (const id of QUESTIONS) expect(id).toMatch(/^[a-z][a-z0-9]{0,30}$/);
    expect([...SCALE_QUESTIONS, ...TEXT_QUESTIONS]).toHaveLength(QUESTION_TYPES.length);
  });

  it.each(QUESTION_TYPES.map((q) => [q.id, q] as const))('%s has its copy in every locale, none empty', (_id, question) => {
    expect(Object.keys(question.copy).sort()).toEqual([...LOCALES].sort());
    for (const locale of LOCALES) {
      const copy = question.copy[locale] as Record<string, string>;
      expect(Object.keys(copy).sort()).toEqual(question.kind === 'scale' ? ['high', 'low', 'question'] : ['question']);
      for (const text of Object.values(copy)) expect(text.trim()).not.toBe('');
    }
    expect(question.copy.sr.question).toMatch(/[\u0400-\u04FF]/); // Serbian in Cyrillic
    expect(question.label.trim()).not.toBe('');
  });

  it.each(SCALE_QUESTIONS.map((q) => [q.id, q] as const))('%s accepts exactly the integers of its scale', (_id, q) => {
    expect(Number.isInteger(q.min) && Number.isInteger(q.max) && q.min < q.max).toBe(true);
    for (let value = q.min - 2; value <= q.max + 2; value++) {
      expect(q.schema.safeParse(value).success, `${q.id}=${value}`).toBe(value >= q.min && value <= q.max);
    }
    for (const bad of [q.min + 0.5, String(q.min), null, Number.NaN]) expect(q.schema.safeParse(bad).success).toBe(false);
    expect(q.schema.safeParse(undefined).success).toBe(true); // every answer is optional on its own
  });

  it.each(TEXT_QUESTIONS.map((q) => [q.id, q] as const))('%s accepts text up to its length and nothing else', (_id, q) => {
    expect(q.schema.safeParse('x'.repeat(q.maxLength)).success).toBe(true);
    expect(q.schema.safeParse('x'.repeat(q.maxLength + 1)).success).toBe(false);
    expect(q.schema.safeParse(5).success).toBe(false);
  });

  it.each(SCALE_QUESTIONS.map((q) => [q.id, q] as const))('%s scores within its scale, by its role', (_id, q) => {
    const role = q.scoring;
    if (role.kind === 'netPromoter') {
      expect(q.min < role.passiveFrom && role.passiveFrom < role.promoterFrom && role.promoterFrom <= q.max).toBe(true);
    }
    if (role.kind === 'topBox') expect(q.min < role.from && role.from <= q.max).toBe(true);
    // One counter per answer, and each answer counts once in its score's distribution or classes.
    for (let answer = q.min; answer <= q.max; answer++) {
      expect(COUNTERS).toContain(`${q.id}${answer}`);
      const score = scoreOf(q, countAnswers([{ [q.id]: answer }])) as unknown as Record<string, unknown>;
      expect(score.responses).toBe(1);
      if ('distribution' in score) expect(score.distribution).toMatchObject({ [String(answer)]: 1 });
      if (role.kind === 'netPromoter') {
        const { promoters, passives, detractors } = score as Record<string, number>;
        expect(promoters! + passives! + detractors!).toBe(1);
      }
    }
    expect(scoreOf(q, {})).toBeNull();
  });

  it('derives the API, the scores and the CSV from the same list', () => {
    expect(Object.keys(scoresOf({}))).toEqual(['responses', ...METRICS]);
    for (const { id } of QUESTION_TYPES) {
      expect(RESPONSE_CSV_COLUMNS).toContain(id);
      expect(responseBody.shape).toHaveProperty(id);
    }
    expect(surveyBody.safeParse({ name: 'x', questions: [...QUESTIONS] }).success).toBe(true);
    expect(surveyBody.safeParse({ name: 'x', questions: TEXT_QUESTIONS.map((q) => q.id) }).success).toBe(false);
    expect(responseBody.safeParse({ surveyId: 's', ...Object.fromEntries(TEXT_QUESTIONS.map((q) => [q.id, 'x'])) }).success).toBe(
      false,
    );
    for (const q of SCALE_QUESTIONS) expect(responseBody.safeParse({ surveyId: 's', [q.id]: q.max }).success).toBe(true);
  });

  it('picks only the answers out of a record', () => {
    expect(answersOf({ nps: 3, comment: 'hi', csat: undefined, ...({ version: 2, surveyId: 's' } as object) })).toEqual({
      nps: 3,
      comment: 'hi',
    });
  });
});
