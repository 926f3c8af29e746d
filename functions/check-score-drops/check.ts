import type { SendTeamMessage } from '#core/alerts/notices.ts';
import {
  comparedPeriods,
  countsIn,
  isUnhappyWith,
  MAX_COMMENTS,
  scoreDropEvent,
  scoreDropId,
  scoreDropMessage,
  scoreDrops,
  segmentsThatFell,
  type DropComment,
  type PeriodRange,
  type ScoreDropAlert,
  type ScoreDropSettings,
  type SegmentDays,
} from '#core/alerts/score-drop.ts';
import type { ChangeMetric } from '#core/score-change.ts';
import { ALL_DIMENSION, attributeDimension, CHANNEL_DIMENSION, type Counts } from '#core/scores.ts';
import type { PublishWebhookEvent } from '#core/webhook-events.ts';
import type { AlertClaim } from '#data/alert-marks.ts';

export interface SurveyToCheck {
  surveyId: string;
  name: string;
  segmentBy: readonly string[];
}

export interface ResponsePage {
  items: ReadonlyArray<{ responseId: string; customerId?: string; nps?: number; csat?: number; comment?: string }>;
  nextCursor?: string;
}

export interface ScoreDropPorts {
  listSurveys(): Promise<SurveyToCheck[]>;
  /** One dimension's score days of a survey in [from, to] (the scorer's aggregates: one key-range query). */
  readDays(surveyId: string, dimension: string, from: string, to: string): Promise<Array<SegmentDays & { counts: Counts }>>;
  /** The survey's responses in [from, to], newest first, a page at a time (the response listing). */
  listResponses(surveyId: string, range: PeriodRange, cursor?: string): Promise<ResponsePage>;
  /** Claims one alert for this run (alert-marks.ts); a claim left by a run that crashed is taken over. */
  claim(alertId: string, runId: string): Promise<AlertClaim>;
  markSent(alertId: string, runId: string): Promise<void>;
  publish: PublishWebhookEvent;
  sendTeamMessage?: SendTeamMessage;
  publicBaseUrl(): string | undefined;
  log: {
    info(message: string, extra?: Record<string, unknown>): void;
    error(message: string, extra?: Record<string, unknown>): void;
  };
}

/** What a check found: the contract's `alerts` items, whether sent by this run or before. */
export interface FoundDrop {
  surveyId: string;
  metric: ChangeMetric;
  period: string;
  previousPeriod: string;
  score: number;
  previousScore: number;
  delta: number;
}

/** The response listing is read for comments this many pages (of 100) at most: a busy period's newest answers. */
const COMMENT_PAGES = 10;

/**
 * The score-drop check as of `date`, for every survey: its last complete period against the one before, from the
 * aggregates (the `all` dimension, one query; the breakdowns only when something fell). Each drop is told once per
 * survey, metric and period (a claimed mark), by a team message and an `alert.score_drop` event; a drop told before
 * is reported again and sent no more. A survey that fails does not stop the others; the check throws at the end.
 */
export async function checkScoreDrops(
  ports: ScoreDropPorts,
  settings: ScoreDropSettings,
  date: string,
  runId: string,
): Promise<FoundDrop[]> {
  const { current, previous } = comparedPeriods(date, settings.interval);
  const found: FoundDrop[] = [];
  let failure: Error | undefined;
  for (const survey of await ports.listSurveys()) {
    try {
      found.push(...(await checkSurvey(ports, settings, survey, current, previous, runId)));
    } catch (error) {
      ports.log.error('ScoreDropCheckFailed', { error: error as Error, surveyId: survey.surveyId });
      failure ??= error instanceof Error ? error : new Error(String(error));
    }
  }
  if (failure) throw failure;
  return found;
}

async function checkSurvey(
  ports: ScoreDropPorts,
  settings: ScoreDropSettings,
  survey: SurveyToCheck,
  current: PeriodRange,
  previous: PeriodRange,
  runId: string,
): Promise<FoundDrop[]> {
  const days = await ports.readDays(survey.surveyId, ALL_DIMENSION, previous.from, current.to);
  const drops = scoreDrops(countsIn(days, previous), countsIn(days, current), settings.minResponses);
  if (!drops.length) return [];
  const dimensions = [CHANNEL_DIMENSION, ...survey.segmentBy.map(attributeDimension)];
  const segmentDays = (
    await Promise.all(dimensions.map((d) => ports.readDays(survey.surveyId, d, previous.from, current.to)))
  ).flat();
  const found: FoundDrop[] = [];
  for (const drop of drops) {
    const alertId = scoreDropId(survey.surveyId, drop.metric, current.period);
    found.push({
      surveyId: survey.surveyId,
      metric: drop.metric,
      period: current.period,
      previousPeriod: previous.period,
      score: drop.score.score,
      previousScore: drop.previousScore.score,
      delta: drop.delta,
    });
    const claim = await ports.claim(alertId, runId);
    if (claim !== 'claimed') continue;
    const alert: ScoreDropAlert = {
      ...drop,
      survey: { surveyId: survey.surveyId, name: survey.name },
      period: current.period,
      previousPeriod: previous.period,
      segments: segmentsThatFell(drop.metric, segmentDays, previous, current),
      comments: await unhappyComments(ports, survey.surveyId, drop.metric, current),
      dashboardUrl: `${(ports.publicBaseUrl() ?? '').replace(/\/+$/, '')}/dashboard?survey=${encodeURIComponent(survey.surveyId)}`,
    };
    await ports.publish(scoreDropEvent(alert));
    if (ports.sendTeamMessage) await ports.sendTeamMessage(scoreDropMessage(alert));
    else ports.log.info('ScoreDropAlertNotSent', { reason: 'no team topic or team address', surveyId: survey.surveyId });
    await ports.markSent(alertId, runId);
    ports.log.info('ScoreDropAlerted', {
      surveyId: survey.surveyId,
      metric: drop.metric,
      period: current.period,
      delta: drop.delta,
    });
  }
  return found;
}

/** Up to MAX_COMMENTS comments of unhappy answers for the metric in the period, newest first. */
async function unhappyComments(
  ports: ScoreDropPorts,
  surveyId: string,
  metric: ChangeMetric,
  range: PeriodRange,
): Promise<DropComment[]> {
  const comments: DropComment[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < COMMENT_PAGES; page++) {
    const { items, nextCursor } = await ports.listResponses(surveyId, range, cursor);
    for (const r of items) {
      if (!r.comment || !isUnhappyWith(metric, r)) continue;
      comments.push({ responseId: r.responseId, customerId: r.customerId ?? null, score: r[metric]!, comment: r.comment });
      if (comments.length === MAX_COMMENTS) return comments;
    }
    if (!nextCursor) break;
    cursor = nextCursor;
  }
  return comments;
}
