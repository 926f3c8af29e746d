import * as z from 'zod/mini';

/**
 * What a question type is: one definition (its file in this folder) from which the API schemas, the scorer, the
 * score report, the survey page, the dashboard and the CSV export are derived. See CONTRIBUTING.md, "Add a question
 * type".
 */

/** The languages every question's copy comes in: the contract's four (Serbian in Cyrillic). */
export const LOCALES = ['en', 'tr', 'sr', 'et'] as const;
export type Locale = (typeof LOCALES)[number];

/**
 * How a scale answer counts in the scores; each kind has its report shape in scores.ts (a new kind: the compiler
 * points at the scorer and the dashboard). `meaning` is the dashboard's English word for what the score measures.
 */
export type ScoringRole =
  /** Promoters answer promoterFrom…max, passives passiveFrom…promoterFrom−1, detractors the rest; score −100…100. */
  | { kind: 'netPromoter'; promoterFrom: number; passiveFrom: number }
  /** The share of answers from…max (top boxes), and the average answer. */
  | { kind: 'topBox'; from: number; meaning: string }
  /** The average answer, and the distribution. */
  | { kind: 'average'; meaning: string };

const scaleAnswer = (min: number, max: number) => z.optional(z.int().check(z.gte(min), z.lte(max)));
const textAnswer = (maxLength: number) => z.optional(z.string().check(z.maxLength(maxLength)));

/** An integer answer from min to max, shown as a row of buttons and scored by its role. */
export interface ScaleQuestion<Id extends string = string, Role extends ScoringRole = ScoringRole> {
  kind: 'scale';
  /** The answer's field in the API, the stored response and the CSV column; also the survey's `questions` entry. */
  id: Id;
  /** Its short name on the dashboard and in messages, e.g. `NPS`. */
  label: string;
  min: number;
  max: number;
  scoring: Role;
  /** The question and the meaning of its two ends, in every locale. */
  copy: Record<Locale, { question: string; low: string; high: string }>;
  /** The answer as the API validates it (and OpenAPI documents it). */
  schema: ReturnType<typeof scaleAnswer>;
}

/** Free text up to maxLength characters, shown as a text box; optional, and never scored. */
export interface TextQuestion<Id extends string = string> {
  kind: 'text';
  id: Id;
  label: string;
  maxLength: number;
  copy: Record<Locale, { question: string }>;
  schema: ReturnType<typeof textAnswer>;
}

export type QuestionDefinition = ScaleQuestion | TextQuestion;

/** A scale question type; its schema accepts exactly the integers min…max. */
export function scaleQuestion<const Id extends string, const Role extends ScoringRole>(
  definition: Omit<ScaleQuestion<Id, Role>, 'kind' | 'schema'>,
): ScaleQuestion<Id, Role> {
  return { kind: 'scale', ...definition, schema: scaleAnswer(definition.min, definition.max) };
}

/** A text question type; its schema accepts any string up to maxLength characters. */
export function textQuestion<const Id extends string>(definition: Omit<TextQuestion<Id>, 'kind' | 'schema'>): TextQuestion<Id> {
  return { kind: 'text', ...definition, schema: textAnswer(definition.maxLength) };
}
