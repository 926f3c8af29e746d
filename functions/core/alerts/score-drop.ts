import { addDays } from '../dates.ts';
import { npsChange, csatChange, type ChangeMetric } from '../score-change.ts';
import { addCounts, csatOf, npsOf, periodOf, roundedRatio, type Counts } from '../scores.ts';
import type { WebhookEvent } from '../webhook-events.ts';
import type { TeamMessage } from './notices.ts';

/**
 * The score-drop alert's rules, pure: which periods a check compares, when a fall is worth telling the team (the
 * contract's **Change**, significant, on enough answers), the segments that fell most, and the message and event.
 */

export const SCORE_DROP_INTERVALS = ['day', 'week', 'month'] as const;
export type ScoreDropInterval = (typeof SCORE_DROP_INTERVALS)[number];

export interface ScoreDropSettings {
  interval: ScoreDropInterval;
  /** Answers for the metric each period needs before its fall counts. */
  minResponses: number;
}

export const DEFAULT_SCORE_DROP: ScoreDropSettings = { interval: 'week', minResponses: 20 };

/** The settings as the env carries them (unset: the defaults); throws on a value the config would have refused. */
export function parseScoreDropSettings(interval: string | undefined, minResponses: string | undefined): ScoreDropSettings {
  const settings = {
    interval: (interval || DEFAULT_SCORE_DROP.interval) as ScoreDropInterval,
    minResponses: minResponses ? Number(minResponses) : DEFAULT_SCORE_DROP.minResponses,
  };
  if (!SCORE_DROP_INTERVALS.includes(settings.interval)) throw new Error(`Invalid score-drop interval: ${interval}`);
  if (!Number.isInteger(settings.minResponses) || settings.minResponses < 2)
    throw new Error(`Invalid score-drop minResponses: ${minResponses}`);
  return settings;
}

/** A segment needs this many answers for the metric in both periods to be named. */
export const MIN_SEGMENT_RESPONSES = 5;
/** How many falling segments an alert names, and how many comments it quotes. */
export const TOP_SEGMENTS = 3;
export const MAX_COMMENTS = 5;

export interface PeriodRange {
  /** `2026-11-24`, `2026-W48`, `2026-11`: as the scores API names it. */
  period: string;
  from: string;
  to: string;
}

/** The first day of the period holding `day`. */
function periodStart(day: string, interval: ScoreDropInterval): string {
  if (interval === 'day') return day;
  if (interval === 'month') return `${day.slice(0, 7)}-01`;
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7; // Monday 0
  return addDays(day, -weekday);
}

function rangeOf(firstDay: string, interval: ScoreDropInterval): PeriodRange {
  const next =
    interval === 'day'
      ? addDays(firstDay, 1)
      : interval === 'week'
        ? addDays(firstDay, 7)
        : periodStart(addDays(firstDay, 31), 'month');
  return { period: periodOf(firstDay, interval), from: firstDay, to: addDays(next, -1) };
}

/** As of `date`: the last complete period (the one before the period holding `date`) and the one before it. */
export function comparedPeriods(date: string, interval: ScoreDropInterval): { current: PeriodRange; previous: PeriodRange } {
  const running = periodStart(date, interval);
  const current = rangeOf(periodStart(addDays(running, -1), interval), interval);
  const previous = rangeOf(periodStart(addDays(current.from, -1), interval), interval);
  return { current, previous };
}

/** The sum of day counts whose day falls in a range. */
export function countsIn(days: ReadonlyArray<{ day: string; counts: Counts }>, range: PeriodRange): Counts {
  const total: Counts = {};
  for (const d of days) if (d.day >= range.from && d.day <= range.to) addCounts(total, d.counts);
  return total;
}

export interface MetricScore {
  score: number;
  /** 95% margin of error of the score (NPS: the contract's `marginOfError95`; CSAT: of the share of 4s and 5s). */
  marginOfError95: number | null;
  responses: number;
}

const Z95 = 1.96;

export function metricScore(metric: ChangeMetric, counts: Counts): MetricScore | null {
  if (metric === 'nps') {
    const nps = npsOf(counts);
    return nps && { score: nps.score, marginOfError95: nps.marginOfError95, responses: nps.responses };
  }
  const csat = csatOf(counts);
  if (!csat) return null;
  const p = (csat.distribution['4']! + csat.distribution['5']!) / csat.responses;
  const margin =
    csat.responses < 2 ? null : roundedRatio(Math.round(1000 * Z95 * 100 * Math.sqrt((p * (1 - p)) / csat.responses)), 1000, 1);
  return { score: csat.score, marginOfError95: margin, responses: csat.responses };
}

const changeOf = (metric: ChangeMetric, previous: Counts, current: Counts) =>
  metric === 'nps' ? npsChange(previous, current) : csatChange(previous, current);

export interface ScoreDrop {
  metric: ChangeMetric;
  score: MetricScore;
  previousScore: MetricScore;
  delta: number;
}

/**
 * The metrics that fell between two periods' totals in a way the team must hear about: a significant negative
 * change (score-change.ts, the contract's rule) with at least `minResponses` answers for that metric in each period.
 */
export function scoreDrops(previous: Counts, current: Counts, minResponses: number): ScoreDrop[] {
  const drops: ScoreDrop[] = [];
  for (const metric of ['nps', 'csat'] as const) {
    const change = changeOf(metric, previous, current);
    if (!change || !change.significant || change.delta >= 0) continue;
    const [before, after] = [metricScore(metric, previous)!, metricScore(metric, current)!];
    if (before.responses < minResponses || after.responses < minResponses) continue;
    drops.push({ metric, score: after, previousScore: before, delta: change.delta });
  }
  return drops;
}

export interface SegmentDays {
  /** `channel` or `attr.<name>`. */
  dimension: string;
  segment: string;
  day: string;
  counts: Counts;
}

export interface FallenSegment {
  dimension: string;
  key: string;
  score: number;
  previousScore: number;
  delta: number;
  responses: number;
  previousResponses: number;
}

/**
 * The segments (of every breakdown given) whose score for the metric fell most between the periods, at most
 * TOP_SEGMENTS, each with at least MIN_SEGMENT_RESPONSES answers for the metric in both. Ties keep the larger segment.
 */
export function segmentsThatFell(
  metric: ChangeMetric,
  days: readonly SegmentDays[],
  previous: PeriodRange,
  current: PeriodRange,
): FallenSegment[] {
  const bySegment = new Map<string, { dimension: string; key: string; days: SegmentDays[] }>();
  for (const d of days) {
    const id = JSON.stringify([d.dimension, d.segment]);
    const entry = bySegment.get(id) ?? { dimension: d.dimension, key: d.segment, days: [] };
    entry.days.push(d);
    bySegment.set(id, entry);
  }
  const fallen: FallenSegment[] = [];
  for (const { dimension, key, days: segmentDays } of bySegment.values()) {
    const before = metricScore(metric, countsIn(segmentDays, previous));
    const after = metricScore(metric, countsIn(segmentDays, current));
    if (!before || !after || before.responses < MIN_SEGMENT_RESPONSES || after.responses < MIN_SEGMENT_RESPONSES) continue;
    const delta = changeOf(metric, countsIn(segmentDays, previous), countsIn(segmentDays, current))!.delta;
    if (delta >= 0) continue;
    fallen.push({
      dimension,
      key,
      score: after.score,
      previousScore: before.score,
      delta,
      responses: after.responses,
      previousResponses: before.responses,
    });
  }
  return fallen
    .sort(
      (a, b) =>
        a.delta - b.delta || b.responses - a.responses || a.dimension.localeCompare(b.dimension) || a.key.localeCompare(b.key),
    )
    .slice(0, TOP_SEGMENTS);
}

/** An answer that counts against the metric: NPS 0–6 (a detractor), CSAT 1–3 (not satisfied). */
export const isUnhappyWith = (metric: ChangeMetric, answer: { nps?: number; csat?: number }): boolean =>
  metric === 'nps' ? answer.nps !== undefined && answer.nps <= 6 : answer.csat !== undefined && answer.csat <= 3;

export interface DropComment {
  responseId: string;
  customerId: string | null;
  score: number;
  comment: string;
}

/** One alert: a survey's metric that fell from one period to the next, with what explains it. */
export interface ScoreDropAlert extends ScoreDrop {
  survey: { surveyId: string; name: string };
  period: string;
  previousPeriod: string;
  segments: FallenSegment[];
  comments: DropComment[];
  dashboardUrl: string;
}

/** Once per survey, metric and period: the event id and the mark's subject. */
export const scoreDropId = (surveyId: string, metric: ChangeMetric, period: string) => `${surveyId}:${metric}:${period}`;

const LABEL: Record<ChangeMetric, string> = { nps: 'NPS', csat: 'CSAT' };

export function scoreDropEvent(alert: ScoreDropAlert): WebhookEvent {
  return {
    id: `alert.score_drop:${scoreDropId(alert.survey.surveyId, alert.metric, alert.period)}`,
    type: 'alert.score_drop',
    timestamp: `${addDays(rangeEnd(alert.period), 1)}T00:00:00.000Z`,
    data: {
      surveyId: alert.survey.surveyId,
      surveyName: alert.survey.name,
      metric: alert.metric,
      period: alert.period,
      previousPeriod: alert.previousPeriod,
      score: alert.score,
      previousScore: alert.previousScore,
      delta: alert.delta,
      segments: alert.segments,
      comments: alert.comments,
      dashboardUrl: alert.dashboardUrl,
    },
  };
}

/** The last day of a period named as the scores API names it (a day, `YYYY-Www`, `YYYY-MM`). */
function rangeEnd(period: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(period)) return period;
  if (/^\d{4}-\d{2}$/.test(period)) return addDays(periodStart(addDays(`${period}-01`, 31), 'month'), -1);
  const [year, week] = period.split('-W').map(Number) as [number, number];
  // Week 1 holds January 4th; its Monday starts the ISO year.
  const firstMonday = periodStart(`${year}-01-04`, 'week');
  return addDays(firstMonday, 7 * (week - 1) + 6);
}

const withMargin = (s: MetricScore) =>
  `${s.score}${s.marginOfError95 === null ? '' : ` ± ${s.marginOfError95}`} (${s.responses} answers)`;

export function scoreDropMessage(alert: ScoreDropAlert): TeamMessage {
  const label = LABEL[alert.metric];
  const { survey } = alert;
  return {
    subject: `Score drop: ${label} of ${survey.name} fell ${alert.delta} points in ${alert.period}`,
    body: [
      `${label} of "${survey.name}" (${survey.surveyId}) fell from ${alert.previousScore.score} in ${alert.previousPeriod} ` +
        `to ${alert.score.score} in ${alert.period}: ${alert.delta} points, beyond the margin of error.`,
      '',
      `${alert.previousPeriod}: ${withMargin(alert.previousScore)}`,
      `${alert.period}: ${withMargin(alert.score)}`,
      '',
      'Segments that fell most:',
      ...(alert.segments.length
        ? alert.segments.map(
            (s) => `- ${s.dimension} = ${s.key}: ${s.previousScore} -> ${s.score} (${s.delta}; ${s.responses} answers)`,
          )
        : [`- none with ${MIN_SEGMENT_RESPONSES} or more answers in both periods`]),
      '',
      `What unhappy customers said in ${alert.period}:`,
      ...(alert.comments.length
        ? alert.comments.map((c) => `- ${c.score}: "${c.comment}"${c.customerId ? ` (${c.customerId})` : ''}`)
        : ['- no comments']),
      '',
      `See the scores: ${alert.dashboardUrl}`,
    ].join('\n'),
  };
}
