import { describe, expect, it } from 'vitest';
import { checkScoreDrops, type ScoreDropPorts } from '../../functions/check-score-drops/check.ts';
import { countAnswers, type Counts } from '../../functions/core/scores.ts';
import type { AlertClaim } from '../../functions/data/alert-marks.ts';
import { recordingOutbox } from '../support/notifier.ts';

const repeat = (value: number, times: number) => Array.from({ length: times }, () => value);
const nps = (promoters: number, passives: number, detractors: number) =>
  countAnswers([...repeat(10, promoters), ...repeat(8, passives), ...repeat(3, detractors)].map((n) => ({ nps: n })));

// As of 2026-11-28 (week 48), weeks 47 (16–22 Nov) and 46 (9–15 Nov) are compared.
const DATE = '2026-11-28';
const day = (dimension: string, segment: string, date: string, counts: Counts) => ({
  surveyId: 's',
  dimension,
  segment,
  day: date,
  counts,
});

function given(options: { failSend?: () => boolean } = {}) {
  const outbox = recordingOutbox();
  const marks = new Map<string, { status: 'claimed' | 'sent'; claimedBy: string; stale: boolean }>();
  const reads: string[] = [];
  const ports: ScoreDropPorts = {
    listSurveys: async () => [
      { surveyId: 'falls', name: 'Falls', segmentBy: ['plan'] },
      { surveyId: 'steady', name: 'Steady', segmentBy: [] },
    ],
    readDays: async (surveyId, dimension) => {
      reads.push(`${surveyId}/${dimension}`);
      if (surveyId === 'steady')
        return [day('all', '*', '2026-11-10', nps(50, 30, 20)), day('all', '*', '2026-11-17', nps(50, 30, 20))];
      if (dimension === 'all')
        return [day('all', '*', '2026-11-10', nps(50, 30, 20)), day('all', '*', '2026-11-17', nps(20, 30, 50))];
      if (dimension === 'attr.plan')
        return [day(dimension, 'pro', '2026-11-10', nps(9, 0, 0)), day(dimension, 'pro', '2026-11-20', nps(0, 0, 9))];
      return [];
    },
    listResponses: async (_, range, cursor) =>
      cursor
        ? { items: [{ responseId: 'r-9', nps: 1, comment: 'last page' }] }
        : {
            items: [
              { responseId: 'r-1', customerId: 'c-1', nps: 2, comment: `in ${range.period}` },
              { responseId: 'r-2', nps: 10, comment: 'great' },
              { responseId: 'r-3', nps: 3 },
            ],
            nextCursor: 'next',
          },
    claim: async (alertId, runId): Promise<AlertClaim> => {
      const mark = marks.get(alertId);
      if (!mark) {
        marks.set(alertId, { status: 'claimed', claimedBy: runId, stale: false });
        return 'claimed';
      }
      if (mark.status === 'sent') return 'sent';
      if (!mark.stale) return 'held';
      Object.assign(mark, { claimedBy: runId, stale: false });
      return 'claimed';
    },
    markSent: async (alertId, runId) => {
      const mark = marks.get(alertId)!;
      if (mark.claimedBy === runId) mark.status = 'sent';
    },
    publish: outbox.publish,
    sendTeamMessage: async (message) => {
      if (options.failSend?.()) throw new Error('SES is down');
      await outbox.sendTeamMessage(message);
    },
    publicBaseUrl: () => 'https://feedback.example',
    log: { info: () => undefined, error: () => undefined },
  };
  return { ports, outbox, marks, reads };
}

const settings = { interval: 'week' as const, minResponses: 20 };
const found = {
  surveyId: 'falls',
  metric: 'nps',
  period: '2026-W47',
  previousPeriod: '2026-W46',
  score: -30,
  previousScore: 30,
  delta: -60,
};

describe('the score-drop check', () => {
  it('tells a drop once, with its segments and comments, reading breakdowns only for the survey that fell', async () => {
    const { ports, outbox, reads } = given();
    expect(await checkScoreDrops(ports, settings, DATE, 'run-1')).toEqual([found]);
    expect(reads).toEqual(['falls/all', 'falls/channel', 'falls/attr.plan', 'steady/all']);
    expect(outbox.messages).toHaveLength(1);
    const [event] = outbox.events();
    expect(event!.data).toMatchObject({
      segments: [{ dimension: 'attr.plan', key: 'pro', delta: -200 }],
      comments: [
        { responseId: 'r-1', customerId: 'c-1', score: 2, comment: 'in 2026-W47' },
        { responseId: 'r-9', customerId: null, score: 1, comment: 'last page' },
      ],
      dashboardUrl: 'https://feedback.example/dashboard?survey=falls',
    });

    expect(await checkScoreDrops(ports, settings, DATE, 'run-2')).toEqual([found]);
    expect(outbox.messages).toHaveLength(1);
    expect(outbox.events()).toHaveLength(1);
  });

  it('after a crash between the claim and the send, a later run takes the stale claim over and sends it, once', async () => {
    let down = true;
    const { ports, outbox, marks } = given({ failSend: () => down });
    await expect(checkScoreDrops(ports, settings, DATE, 'run-1')).rejects.toThrow('SES is down');
    expect(outbox.messages).toHaveLength(0);
    down = false;
    // Within the lease, another run leaves it to its holder (it may be sending right now).
    expect(await checkScoreDrops(ports, settings, DATE, 'run-2')).toEqual([found]);
    expect(outbox.messages).toHaveLength(0);
    marks.get('falls:nps:2026-W47')!.stale = true;
    expect(await checkScoreDrops(ports, settings, DATE, 'run-3')).toEqual([found]);
    expect(await checkScoreDrops(ports, settings, DATE, 'run-4')).toEqual([found]);
    expect(outbox.messages).toHaveLength(1);
  });
});
