import { ces } from './ces.ts';
import { comment } from './comment.ts';
import { csat } from './csat.ts';
import { nps } from './nps.ts';
import type * as z from 'zod/mini';
import type { ScaleQuestion, TextQuestion } from './types.ts';

/**
 * Every question type, in the order the API, the survey page, the score report and the CSV list them. A new type is
 * one file in this folder and one entry here; see CONTRIBUTING.md, "Add a question type".
 */
export const QUESTION_TYPES = [nps, csat, ces, comment] as const;

export type QuestionType = (typeof QUESTION_TYPES)[number];
export type QuestionId = QuestionType['id'];
/** The scored questions (a survey asks at least one, a response answers at least one). */
export type ScaleType = Extract<QuestionType, ScaleQuestion>;
export type Metric = ScaleType['id'];
export type TextType = Extract<QuestionType, TextQuestion>;

/** The ids, for the survey's `questions` enum. */
export const QUESTIONS = QUESTION_TYPES.map((q) => q.id) as [QuestionId, ...QuestionId[]];

export const SCALE_QUESTIONS: readonly ScaleType[] = QUESTION_TYPES.filter((q): q is ScaleType => q.kind === 'scale');
export const TEXT_QUESTIONS: readonly TextType[] = QUESTION_TYPES.filter((q): q is TextType => q.kind === 'text');
export const METRICS: readonly Metric[] = SCALE_QUESTIONS.map((q) => q.id);

/** The answers of one response, each as its question's schema gives it (a number for a scale, a string for text). */
export type Answers = { [Q in QuestionType as Q['id']]?: Exclude<z.output<Q['schema']>, undefined> };

/** The answer fields of the response body, for schemas.ts (and so OpenAPI): `{ nps: …, csat: …, … }`. */
export const answerShape = Object.fromEntries(QUESTION_TYPES.map((q) => [q.id, q.schema])) as {
  [Q in QuestionType as Q['id']]: Q['schema'];
};

/** Only the answers of anything that carries them (a request body, a stored response), the absent ones left out. */
export function answersOf(source: Partial<Record<QuestionId, unknown>>): Answers {
  const answers: Record<string, unknown> = {};
  for (const { id } of QUESTION_TYPES) if (source[id] !== undefined && source[id] !== null) answers[id] = source[id];
  return answers;
}

/** "nps, csat, ces": the scale questions, for messages that name them. */
export const METRIC_LIST = METRICS.join(', ');

/**
 * The survey's first scale question in page order (NPS, else CSAT, else CES): the one an invitation asks with
 * one-click answers, and the one the survey page preselects from `score`.
 */
export const firstScaleQuestion = (questions: readonly string[]): ScaleType | undefined =>
  SCALE_QUESTIONS.find((q) => questions.includes(q.id));
