import { csatOf, npsOf, roundedRatio, type Counts } from './scores.ts';

/**
 * The contract's **Change** between two periods' counts: the delta of the NPS and CSAT scores and whether it exceeds
 * the 95% margin of the difference. One rule for the score series, the dashboard and the score-drop alert.
 */
export interface MetricChange {
  /** Current score minus previous score (NPS points; CSAT percentage points), one decimal. */
  delta: number;
  /** |delta| > 1.96 × SE (with SE = 0: delta ≠ 0). */
  significant: boolean;
}

export interface ScoreChange {
  nps: MetricChange | null;
  csat: MetricChange | null;
}

/** The metrics a change is reported for (those with a score on a 0–100 scale). */
export const CHANGE_METRICS = ['nps', 'csat'] as const;
export type ChangeMetric = (typeof CHANGE_METRICS)[number];

const Z95 = 1.96;
/** Fewer answers than this in either period: no change is reported for that metric. */
const MIN_ANSWERS = 2;

function change(delta: number, standardError: number): MetricChange {
  return { delta, significant: standardError === 0 ? delta !== 0 : Math.abs(delta) > Z95 * standardError };
}

/** Scores are shown with one decimal, so the delta is their difference, kept to one decimal without float drift. */
const deltaOf = (current: number, previous: number) => roundedRatio(Math.round(current * 10) - Math.round(previous * 10), 10, 1);

/** Sample variance (n − 1) of the answers coded +100 / 0 / −100. */
function npsVariance(promoters: number, passives: number, detractors: number): number {
  const n = promoters + passives + detractors;
  const mean = (100 * (promoters - detractors)) / n;
  return (promoters * (100 - mean) ** 2 + passives * mean ** 2 + detractors * (-100 - mean) ** 2) / (n - 1);
}

export function npsChange(previous: Counts, current: Counts): MetricChange | null {
  const [a, b] = [npsOf(previous), npsOf(current)];
  if (!a || !b || a.responses < MIN_ANSWERS || b.responses < MIN_ANSWERS) return null;
  const se = Math.sqrt(
    npsVariance(a.promoters, a.passives, a.detractors) / a.responses +
      npsVariance(b.promoters, b.passives, b.detractors) / b.responses,
  );
  return change(deltaOf(b.score, a.score), se);
}

export function csatChange(previous: Counts, current: Counts): MetricChange | null {
  const [a, b] = [csatOf(previous), csatOf(current)];
  if (!a || !b || a.responses < MIN_ANSWERS || b.responses < MIN_ANSWERS) return null;
  // p is the exact share of 4s and 5s (the score is p rounded to one decimal of a percent).
  const share = (s: typeof a) => (s.distribution['4']! + s.distribution['5']!) / s.responses;
  const [p1, p2] = [share(a), share(b)];
  const se = 100 * Math.sqrt((p1 * (1 - p1)) / a.responses + (p2 * (1 - p2)) / b.responses);
  return change(deltaOf(b.score, a.score), se);
}

/** The change from one period's counts to the next's. */
export const scoreChange = (previous: Counts, current: Counts): ScoreChange => ({
  nps: npsChange(previous, current),
  csat: csatChange(previous, current),
});
