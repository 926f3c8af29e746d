/**
 * What the server hands each page's browser script in its data block: one type for both sides, so the renderer and
 * the script cannot disagree. Type-only: the browser bundles import nothing from here at run time.
 */
import type { ScoringRole } from '#core/questions/types.ts';

/** A question as the survey script collects it: radios named by the id, or a textarea with the id. */
export type SurveyField = { id: string; kind: 'scale' } | { id: string; kind: 'text'; maxLength: number };

export interface SurveyPageData {
  surveyId: string;
  /** The link token, handed back on submit; absent for an anonymous survey. */
  token?: string;
  channel: string;
  /** The survey's questions in page order. */
  fields: SurveyField[];
  t: {
    submit: string;
    sending: string;
    required: string;
    /** With `{n}`: the characters left in a text answer. */
    charsLeft: string;
    invalid: string;
    notFound: string;
    failed: string;
    offline: string;
    tooMany: string;
  };
}

/** A scale question as the dashboard shows it: its label, range, end labels and the score it contributes to. */
export interface DashboardMetric {
  id: string;
  label: string;
  min: number;
  max: number;
  low: string;
  high: string;
  scoring: ScoringRole;
}

export interface DashboardPageData {
  metrics: DashboardMetric[];
}
