import { assertWalkable, dateIssues, EARLIEST_DATE, MAX_RANGE_DAYS, spanIssues, type DateRange } from './date-range.ts';
import { addDays } from './dates.ts';
import { scoreChange, type ScoreChange } from './score-change.ts';
import { ValidationFailed, type Issue } from './errors.ts';
import { SCALE_QUESTIONS, type Answers, type Metric, type ScaleType } from './questions/index.ts';
import type { ScaleQuestion } from './questions/types.ts';
import { SURVEY_ID } from './schemas.ts';

/**
 * Scores from counts, and counts from responses: the pure half of the scorer and of the scores API.
 * Aggregates are day buckets of counters; weeks, months and totals are sums of days.
 */

/** Counter names: `responses`, then one per answer of each scale question (`nps0`…`nps10`, …). Missing counters are 0. */
export type Counts = Record<string, number>;

export const counterName = (metric: Metric, answer: number) => `${metric}${answer}`;

/** Every counter an aggregate can hold, in a stable order. */
export const COUNTERS: readonly string[] = [
  'responses',
  ...SCALE_QUESTIONS.flatMap(({ id, min, max }) => Array.from({ length: max - min + 1 }, (_, i) => counterName(id, min + i))),
];

export function addCounts(target: Counts, source: Counts, sign = 1): Counts {
  for (const [name, value] of Object.entries(source)) {
    const sum = (target[name] ?? 0) + sign * value;
    if (sum === 0) delete target[name];
    else target[name] = sum;
  }
  return target;
}

/** Invitation counters, on the `all` aggregate of the day an invitation was sent (invitations/response-rate.ts). */
export const INVITATION_COUNTERS = { sent: 'invitationsSent', answered: 'invitationsAnswered' } as const;

export const isEmpty = (counts: Counts) => Object.values(counts).every((v) => v === 0);

// ---------------------------------------------------------------------------------------------------------------
// Scores: one shape per scoring role (questions/types.ts), the contract's `nps`, `csat` and `ces` objects.

export interface NetPromoterScore {
  score: number;
  promoters: number;
  passives: number;
  detractors: number;
  responses: number;
  marginOfError95: number | null;
}
export interface TopBoxScore {
  score: number;
  average: number;
  responses: number;
  distribution: Record<string, number>;
}
export interface AverageScore {
  average: number;
  responses: number;
  distribution: Record<string, number>;
}
interface ScoreOfRole {
  netPromoter: NetPromoterScore;
  topBox: TopBoxScore;
  average: AverageScore;
}
export type ScoreOf<Q extends ScaleQuestion> = ScoreOfRole[Q['scoring']['kind']];

/** A report's scores: the responses, and for each scale question its score (null without answers). */
export type Scores = { responses: number } & { [Q in ScaleType as Q['id']]: ScoreOf<Q> | null };

/** numerator / denominator rounded half away from zero to `decimals` places, exactly (integers only, no float drift). */
export function roundedRatio(numerator: number, denominator: number, decimals: number): number {
  const scale = 10 ** decimals;
  const scaled = Math.abs(numerator) * scale;
  const rounded = Math.floor((2 * scaled + denominator) / (2 * denominator));
  return (Math.sign(numerator) * rounded) / scale || 0;
}

const round = (value: number, decimals: number) => {
  const scale = 10 ** decimals;
  return Math.round(value * scale) / scale;
};

function distribution(question: ScaleQuestion, counts: Counts) {
  const out: Record<string, number> = {};
  let responses = 0;
  let sum = 0;
  for (let answer = question.min; answer <= question.max; answer++) {
    const n = counts[counterName(question.id as Metric, answer)] ?? 0;
    out[String(answer)] = n;
    responses += n;
    sum += n * answer;
  }
  return { distribution: out, responses, sum };
}

/** The answers from `from` to `to` of a distribution. */
const countBetween = (d: Record<string, number>, from: number, to: number) => {
  let n = 0;
  for (let a = from; a <= to; a++) n += d[String(a)]!;
  return n;
};

/** Promoters, passives and detractors by the role's bands; the margin of error from the +100/0/−100 coded answers. */
function netPromoterScore(question: ScaleQuestion, role: { promoterFrom: number; passiveFrom: number }, counts: Counts) {
  const { distribution: d } = distribution(question, counts);
  const promoters = countBetween(d, role.promoterFrom, question.max);
  const passives = countBetween(d, role.passiveFrom, role.promoterFrom - 1);
  const detractors = countBetween(d, question.min, role.passiveFrom - 1);
  const n = promoters + passives + detractors;
  if (n === 0) return null;
  const mean = (100 * (promoters - detractors)) / n;
  const variance =
    n < 2 ? null : (promoters * (100 - mean) ** 2 + passives * mean ** 2 + detractors * (-100 - mean) ** 2) / (n - 1);
  return {
    score: roundedRatio(100 * (promoters - detractors), n, 1),
    promoters,
    passives,
    detractors,
    responses: n,
    marginOfError95: variance === null ? null : round(1.96 * Math.sqrt(variance / n), 1),
  } satisfies NetPromoterScore;
}

/** The share of top-box answers (from…max), and the average answer. */
function topBoxScore(question: ScaleQuestion, role: { from: number }, counts: Counts) {
  const { distribution: d, responses, sum } = distribution(question, counts);
  if (responses === 0) return null;
  return {
    score: roundedRatio(100 * countBetween(d, role.from, question.max), responses, 1),
    average: roundedRatio(sum, responses, 2),
    responses,
    distribution: d,
  } satisfies TopBoxScore;
}

/** The average answer. */
function averageScore(question: ScaleQuestion, counts: Counts) {
  const { distribution: d, responses, sum } = distribution(question, counts);
  if (responses === 0) return null;
  return { average: roundedRatio(sum, responses, 2), responses, distribution: d } satisfies AverageScore;
}

/** A scale question's score from counts, by its scoring role; null when it has no answers. */
export function scoreOf<Q extends ScaleQuestion>(question: Q, counts: Counts): ScoreOf<Q> | null {
  const role: ScaleQuestion['scoring'] = question.scoring;
  switch (role.kind) {
    case 'netPromoter':
      return netPromoterScore(question, role, counts) as ScoreOf<Q> | null;
    case 'topBox':
      return topBoxScore(question, role, counts) as ScoreOf<Q> | null;
    case 'average':
      return averageScore(question, counts) as ScoreOf<Q> | null;
  }
}

const questionOf = <Id extends Metric>(id: Id) => SCALE_QUESTIONS.find((q) => q.id === id) as Extract<ScaleType, { id: Id }>;
export const npsOf = (counts: Counts) => scoreOf(questionOf('nps'), counts);
export const csatOf = (counts: Counts) => scoreOf(questionOf('csat'), counts);

export function scoresOf(counts: Counts): Scores {
  const scores: Record<string, unknown> = { responses: counts.responses ?? 0 };
  for (const question of SCALE_QUESTIONS) scores[question.id] = scoreOf(question, counts);
  return scores as Scores;
}

/** The contract's `invitations`: sent in the period, answered of those so far, and the response rate (one decimal). */
export interface InvitationRate {
  sent: number;
  answered: number;
  responseRate: number | null;
}

export function invitationRateOf(counts: Counts): InvitationRate {
  const sent = counts[INVITATION_COUNTERS.sent] ?? 0;
  const answered = counts[INVITATION_COUNTERS.answered] ?? 0;
  return { sent, answered, responseRate: sent > 0 ? roundedRatio(100 * answered, sent, 1) : null };
}

/** Counts of a list of answers: for tests, the recount and public vectors. */
export function countAnswers(answers: Answers[]): Counts {
  const counts: Counts = {};
  for (const answer of answers) addCounts(counts, answerCounts(answer));
  return counts;
}

function answerCounts(answer: Answers): Counts {
  const counts: Counts = { responses: 1 };
  for (const { id } of SCALE_QUESTIONS) {
    const value = answer[id];
    if (value !== undefined) counts[counterName(id, value)] = 1;
  }
  return counts;
}

// ---------------------------------------------------------------------------------------------------------------
// Periods (UTC)

export const INTERVALS = ['day', 'week', 'month', 'total'] as const;
export type Interval = (typeof INTERVALS)[number];

const DAY_MS = 86_400_000;

export const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The ISO 8601 week of a day, e.g. `2026-W48`: weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(day: string): string {
  const date = new Date(`${day}T00:00:00Z`);
  const weekday = (date.getUTCDay() + 6) % 7; // Monday 0 … Sunday 6
  const thursday = new Date(date.getTime() + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${String(week).padStart(2, '0')}`;
}

export function periodOf(day: string, interval: Interval): string {
  switch (interval) {
    case 'day':
      return day;
    case 'week':
      return isoWeek(day);
    case 'month':
      return day.slice(0, 7);
    case 'total':
      return 'total';
  }
}

/**
 * Every period that has a day in [from, to], in order, empty ones included. Throws (RangeError) for a range that is
 * not a bounded one of real dates (see assertWalkable): a day count, never a date comparison, ends the walk.
 */
export function periodsIn(from: string, to: string, interval: Interval): string[] {
  const days = assertWalkable({ from, to });
  const periods: string[] = [];
  for (let i = 0; i < days; i++) {
    const period = periodOf(addDays(from, i), interval);
    if (periods.at(-1) !== period) periods.push(period);
  }
  return periods;
}

// ---------------------------------------------------------------------------------------------------------------
// Responses → aggregate contributions

/** What the scorer reads of a stored response. */
export interface ScoredResponse extends Pick<Answers, Metric> {
  surveyId: string;
  /** The UTC day of `submittedAt`: the period the response counts in. */
  day: string;
  channel?: string;
  /** The response's own attributes laid over its customer's profile as it was when accepted (`scoredProfile`, JSON). */
  attributes?: Record<string, string>;
  /**
   * An anonymous answer's segments by dimension, as placed when it was accepted (placeAnonymous): set, they are the
   * only segments it counts in; absent (signed links, the admin token), the channel and attributes are.
   */
  scoredSegments?: Record<string, string>;
}

/** The aggregate a contribution goes to: a survey's day, over all responses or one segment of a dimension. */
export interface BucketKey {
  surveyId: string;
  day: string;
  /** `all`, `channel` or `attr.<name>`. */
  dimension: string;
  /** The channel or attribute value; `*` for `all`. */
  segment: string;
}

export const ALL_DIMENSION = 'all';
export const ALL_SEGMENT = '*';
export const CHANNEL_DIMENSION = 'channel';
export const attributeDimension = (name: string) => `attr.${name}`;

/**
 * How many distinct values of one dimension (the channel, each segmentBy attribute) answers without a signed link
 * or the admin token may make segments of, per survey: anyone can send them, and every segment is an item each
 * score read of that dimension reads. Values of signed links and the admin token are not limited (a link answers once).
 */
export const ANONYMOUS_SEGMENT_LIMIT = 100;
/** The segment an anonymous value counts in once its dimension is full: the segments still add up to the total. */
export const OTHER_SEGMENT = '(other)';

/**
 * Where an anonymous answer's value counts, given the values its dimension has made segments of (a set that only
 * grows, at most `limit`): a known value in its own segment, a new one in OTHER_SEGMENT once the set is full, and
 * otherwise `register`: the caller adds it to the set, if it is still not full, and asks again.
 */
export function placeAnonymous(
  known: ReadonlySet<string> | undefined,
  value: string,
  limit = ANONYMOUS_SEGMENT_LIMIT,
): { segment: string } | 'register' {
  if (value === OTHER_SEGMENT || known?.has(value)) return { segment: value };
  return (known?.size ?? 0) >= limit ? { segment: OTHER_SEGMENT } : 'register';
}

/** A response's segment values by dimension: its channel and each of its survey's segmentBy attributes it has. */
export function segmentValuesOf(
  response: { channel?: string; attributes?: Record<string, string> },
  segmentBy: readonly string[],
): Array<[dimension: string, value: string]> {
  const values: Array<[string, string]> = [];
  if (response.channel !== undefined) values.push([CHANNEL_DIMENSION, response.channel]);
  for (const name of segmentBy) {
    // Own values only: a segment named `toString` or `constructor` must not find Object.prototype's.
    const value = ownValue(response.attributes, name);
    if (value !== undefined) values.push([attributeDimension(name), value]);
  }
  return values;
}

const ownValue = (record: Record<string, string> | undefined, name: string) =>
  record && Object.hasOwn(record, name) ? record[name] : undefined;

export const bucketId = (key: BucketKey) => JSON.stringify([key.surveyId, key.day, key.dimension, key.segment]);

export class InvalidResponseImage extends Error {}

const isInScale = ({ min, max }: ScaleQuestion, value: unknown) =>
  typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;

/**
 * Reads a stored response item (already unmarshalled) for scoring; throws InvalidResponseImage when it cannot be
 * scored (a poison record): a bad survey id or date, an answer out of its scale, or no answer at all.
 */
export function readResponseImage(item: Record<string, unknown>): ScoredResponse {
  const fail = (why: string): never => {
    throw new InvalidResponseImage(why);
  };
  const { surveyId, submittedAt, channel, attributes, scoredProfile, scoredSegments } = item;
  if (typeof surveyId !== 'string' || !SURVEY_ID.test(surveyId)) fail('surveyId is missing or invalid');
  const at = typeof submittedAt === 'string' ? Date.parse(submittedAt) : Number.NaN;
  if (Number.isNaN(at)) fail('submittedAt is missing or invalid');
  const response: ScoredResponse = { surveyId: surveyId as string, day: dayOf(at) };
  let answered = false;
  for (const question of SCALE_QUESTIONS) {
    const value = item[question.id];
    if (value === undefined || value === null) continue;
    if (!isInScale(question, value)) fail(`${question.id} is out of its scale`);
    response[question.id] = value as number;
    answered = true;
  }
  if (!answered) fail('no answer to score');
  if (channel !== undefined && channel !== null) {
    if (typeof channel !== 'string' || channel.length === 0) fail('channel is invalid');
    response.channel = channel as string;
  }
  const parsed = (text: unknown): unknown => {
    try {
      return typeof text === 'string' ? JSON.parse(text) : undefined;
    } catch {
      return undefined;
    }
  };
  const strings = (field: string, value: unknown) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(`${field} are invalid`);
    const out: Record<string, string> = {};
    for (const [name, v] of Object.entries(value)) if (typeof v === 'string') out[name] = v;
    return out;
  };
  // The response's own values win over the profile's.
  const profile =
    scoredProfile !== undefined && scoredProfile !== null ? strings('scoredProfile', parsed(scoredProfile)) : undefined;
  const own = attributes !== undefined && attributes !== null ? strings('attributes', attributes) : undefined;
  if (profile || own) response.attributes = Object.assign({}, profile, own);
  if (scoredSegments !== undefined && scoredSegments !== null)
    response.scoredSegments = strings('scoredSegments', scoredSegments);
  return response;
}

/**
 * Whether a write of a response item only gave it the profile snapshot it lacked (`scoredProfile`, from before
 * responses carried one): `npm run scores -- rebuild` writes it so, without moving `version` as a submission does, and
 * rewrites the aggregates itself; the scorer moves nothing for it, whenever the record arrives.
 */
export function isProfileBackfill(before: Record<string, unknown>, after: Record<string, unknown>): boolean {
  return before.scoredProfile === undefined && after.scoredProfile !== undefined && before.version === after.version;
}

/**
 * The buckets a response counts in: its survey's day overall, by channel, and by each declared segment; an
 * anonymous answer in the segments it was placed in when accepted (the scorer and the recount read the same item).
 */
export function bucketsOf(response: ScoredResponse, segmentBy: readonly string[]): BucketKey[] {
  const { surveyId, day, scoredSegments } = response;
  const buckets: BucketKey[] = [{ surveyId, day, dimension: ALL_DIMENSION, segment: ALL_SEGMENT }];
  for (const [dimension, value] of segmentValuesOf(response, segmentBy)) {
    const segment = scoredSegments ? ownValue(scoredSegments, dimension) : value;
    if (segment !== undefined) buckets.push({ surveyId, day, dimension, segment });
  }
  return buckets;
}

export interface Contribution {
  key: BucketKey;
  counts: Counts;
}

/**
 * What one change of a response does to the aggregates: the old answers out, the new ones in, netted per bucket.
 * An image that is absent (INSERT, REMOVE) contributes nothing; buckets whose net change is zero are left out.
 */
export function changeContributions(
  before: ScoredResponse | undefined,
  after: ScoredResponse | undefined,
  segmentsOf: (surveyId: string) => readonly string[],
): Map<string, Contribution> {
  const out = new Map<string, Contribution>();
  const apply = (response: ScoredResponse | undefined, sign: number) => {
    if (!response) return;
    const counts = answerCounts(response);
    for (const key of bucketsOf(response, segmentsOf(response.surveyId))) {
      const id = bucketId(key);
      const entry = out.get(id) ?? { key, counts: {} };
      addCounts(entry.counts, counts, sign);
      out.set(id, entry);
    }
  };
  apply(before, -1);
  apply(after, +1);
  for (const [id, entry] of out) if (isEmpty(entry.counts)) out.delete(id);
  return out;
}

/** Adds contributions into a running total per bucket (a batch's pre-aggregation); empty buckets drop out. */
export function mergeContributions(into: Map<string, Contribution>, from: Map<string, Contribution>): void {
  for (const [id, entry] of from) {
    const target = into.get(id) ?? { key: entry.key, counts: {} };
    addCounts(target.counts, entry.counts);
    if (isEmpty(target.counts)) into.delete(id);
    else into.set(id, target);
  }
}

/** Sums day buckets into periods of an interval; every period in range appears, empty ones as zero counts. */
export function seriesOf(
  days: ReadonlyArray<{ day: string; counts: Counts }>,
  from: string,
  to: string,
  interval: Interval,
): Array<{ period: string; counts: Counts }> {
  const periods = new Map(periodsIn(from, to, interval).map((p) => [p, {}]));
  for (const { day, counts } of days) {
    if (day < from || day > to) continue;
    const bucket = periods.get(periodOf(day, interval));
    if (bucket) addCounts(bucket, counts);
  }
  return [...periods].map(([period, counts]) => ({ period, counts }));
}

// ---------------------------------------------------------------------------------------------------------------
// The scores report

export interface ReportQuery {
  surveyId: string;
  from: string;
  to: string;
  interval: Interval;
  /** `channel` or `attr.<name>`. */
  by?: string;
}

/** A period of the series: its scores, invitations, and the change from the period before (null for the first). */
export type SeriesItem = { period: string } & Scores & { invitations: InvitationRate; change: ScoreChange | null };

/** A segment of the `by` dimension; `key: null` holds the responses without a value for it. */
export type SegmentScores = { key: string | null } & Scores;

export interface ScoreReport {
  surveyId: string;
  from: string;
  to: string;
  interval: Interval;
  total: Scores & { invitations: InvitationRate };
  series: SeriesItem[];
  segments?: SegmentScores[];
}

/**
 * The contract's scores body from a survey's day aggregates: totals and series from `all`, segments from `by`.
 * The `null` segment is not stored: it is what the total holds beyond the dimension's segments, so the segments
 * always add up to the total and a response without a value costs no aggregate write.
 */
export function scoreReport(query: ReportQuery, days: ReadonlyArray<BucketKey & { counts: Counts }>): ScoreReport {
  const inRange = days.filter((d) => d.day >= query.from && d.day <= query.to);
  const overall = inRange.filter((d) => d.dimension === ALL_DIMENSION);
  const total: Counts = {};
  for (const d of overall) addCounts(total, d.counts);
  const periods = seriesOf(overall, query.from, query.to, query.interval);
  const report: ScoreReport = {
    surveyId: query.surveyId,
    from: query.from,
    to: query.to,
    interval: query.interval,
    total: { ...scoresOf(total), invitations: invitationRateOf(total) },
    series: periods.map(({ period, counts }, i) => ({
      period,
      ...scoresOf(counts),
      invitations: invitationRateOf(counts),
      change: i === 0 ? null : scoreChange(periods[i - 1]!.counts, counts),
    })),
  };
  if (query.by !== undefined) {
    const bySegment = new Map<string, Counts>();
    for (const d of inRange) {
      if (d.dimension !== query.by) continue;
      bySegment.set(d.segment, addCounts(bySegment.get(d.segment) ?? {}, d.counts));
    }
    const segments: SegmentScores[] = [...bySegment]
      .filter(([, counts]) => (counts.responses ?? 0) > 0)
      .sort(([a, x], [b, y]) => (y.responses ?? 0) - (x.responses ?? 0) || a.localeCompare(b))
      .map(([key, counts]) => ({ key, ...scoresOf(counts) }));
    const unplaced = withoutSegments(total, bySegment.values());
    if ((unplaced.responses ?? 0) > 0) segments.push({ key: null, ...scoresOf(unplaced) });
    report.segments = segments;
  }
  return report;
}

/** The response counters of a total less those of its segments: the responses without a value for the dimension. */
function withoutSegments(total: Counts, segments: Iterable<Counts>): Counts {
  const rest: Counts = {};
  for (const name of COUNTERS) if (total[name]) rest[name] = total[name];
  for (const counts of segments) for (const name of COUNTERS) if (counts[name]) rest[name] = (rest[name] ?? 0) - counts[name];
  for (const name of COUNTERS) if (!((rest[name] ?? 0) > 0)) delete rest[name];
  return rest;
}

/** The range a report covers by default: the 30 days that end on `to`. */
export const DEFAULT_REPORT_DAYS = 30;

/**
 * The range a report covers, or what is wrong with the request: `to` defaults to today (UTC), `from` to 30 days
 * before `to` (not before EARLIEST_DATE); each end within the service's dates, `from` not after `to`, at most
 * MAX_RANGE_DAYS days. The query schema and the handler both ask this one function.
 */
export function resolveReportRange(
  from: string | undefined,
  to: string | undefined,
  today: string,
): { range: DateRange; issues?: undefined } | { range?: undefined; issues: Issue[] } {
  const dates = dateIssues({ from, to }, today);
  if (dates.length > 0) return { issues: dates };
  const end = to ?? today;
  const earliestDefault = addDays(end, -(DEFAULT_REPORT_DAYS - 1));
  const range = { from: from ?? (earliestDefault < EARLIEST_DATE ? EARLIEST_DATE : earliestDefault), to: end };
  const span = spanIssues(range, MAX_RANGE_DAYS);
  return span.length > 0 ? { issues: span } : { range };
}

/** The range a report covers (see resolveReportRange); 400 when the request's range cannot be reported. */
export function reportRange(from: string | undefined, to: string | undefined, today: string): DateRange {
  const { range, issues } = resolveReportRange(from, to, today);
  if (issues) throw new ValidationFailed(issues);
  return range;
}
