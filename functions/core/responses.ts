import { EARLIEST_DATE } from './date-range.ts';
import { InvalidToken, ValidationFailed, type Issue } from './errors.ts';
import { linkResponseId } from './ids.ts';
import { QUESTION_TYPES, QUESTIONS } from './questions/index.ts';
import type { ResponseInput } from './schemas.ts';
import type { TokenClaims } from './tokens.ts';

/** What the response rules need to know of a survey. */
export interface SurveyRules {
  surveyId: string;
  questions: readonly string[];
  anonymous: boolean;
}

/** Who answered, and the response id their answer is stored under when it comes from a link. */
export interface Respondent {
  customerId?: string;
  /** Set for link submissions: one link, one response. */
  linkResponseId?: string;
}

/** Answers must be questions of the survey. */
export function unaskedAnswers(survey: SurveyRules, input: ResponseInput): Issue[] {
  const issues: Issue[] = [];
  for (const field of QUESTIONS) {
    if (input[field] !== undefined && !survey.questions.includes(field)) {
      issues.push({ path: field, message: `This survey does not ask "${field}".` });
    }
  }
  return issues;
}

/**
 * Decides who is answering: a valid link token names the customer; the admin may name one directly (imports);
 * anonymous surveys accept nobody in particular. Everything else is 403.
 */
export function resolveRespondent(
  survey: SurveyRules,
  input: ResponseInput,
  claims: TokenClaims | null,
  isAdmin: boolean,
): Respondent {
  if (input.token !== undefined) {
    if (!claims || claims.surveyId !== survey.surveyId) throw new InvalidToken();
    if (input.customerId !== undefined && input.customerId !== claims.customerId) {
      throw new InvalidToken('The customerId does not match the link token.');
    }
    return { customerId: claims.customerId, linkResponseId: linkResponseId(survey.surveyId, claims.nonce) };
  }
  if (isAdmin) return input.customerId === undefined ? {} : { customerId: input.customerId };
  if (input.customerId !== undefined) throw new InvalidToken('Naming a customer needs their link token.');
  if (!survey.anonymous) throw new InvalidToken('This survey needs a link token.');
  return {};
}

/** An imported submittedAt must not lie in the future (a minute of clock skew is allowed). */
export function checkSubmittedAt(input: ResponseInput, isAdmin: boolean, nowMs: number): string | undefined {
  if (input.submittedAt === undefined) return undefined;
  if (!isAdmin) {
    throw new ValidationFailed([
      { path: 'submittedAt', message: 'Only an import with the admin token or an ingest key may set submittedAt.' },
    ]);
  }
  const at = Date.parse(input.submittedAt);
  if (at > nowMs + 60_000) throw new ValidationFailed([{ path: 'submittedAt', message: 'submittedAt is in the future.' }]);
  // What is accepted must be listable and scorable: nothing before the first date listings and scores reach.
  if (!(at >= Date.parse(`${EARLIEST_DATE}T00:00:00Z`))) {
    throw new ValidationFailed([{ path: 'submittedAt', message: `submittedAt must be on or after ${EARLIEST_DATE}.` }]);
  }
  return new Date(at).toISOString();
}

/**
 * The CSV export's columns: the response's facts, the answers, the channel, the free-text answers, the attributes.
 * A question's column is its id; its cells are the answer as given (csv.ts neutralises formulas).
 */
export const RESPONSE_CSV_COLUMNS = [
  'responseId',
  'surveyId',
  'customerId',
  'submittedAt',
  'receivedAt',
  ...QUESTION_TYPES.filter((q) => q.kind !== 'text').map((q) => q.id),
  'channel',
  ...QUESTION_TYPES.filter((q) => q.kind === 'text').map((q) => q.id),
  'attributes',
] as const;
