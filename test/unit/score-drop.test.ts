import { describe, expect, it } from 'vitest';
import {
  comparedPeriods,
  metricScore,
  parseScoreDropSettings,
  scoreDropEvent,
  scoreDropMessage,
  scoreDrops,
  segmentsThatFell,
  type ScoreDropAlert,
  type SegmentDays,
} from '../../functions/core/alerts/score-drop.ts';
import { addCounts, countAnswers, type Counts } from '../../functions/core/scores.ts';

const repeat = (value: number, times: number) => Array.from({ length: times }, () => value);
/** NPS counts of `promoters` 10s, `passives` 8s and `detractors` 3s. */
const nps = (promoters: number, passives: number, detractors: number) =>
  countAnswers([...repeat(10, promoters), ...repeat(8, passives), ...repeat(3, detractors)].map((n) => ({ nps: n })));
/** CSAT counts of `satisfied` 5s and `others` 2s. */
const csat = (satisfied: number, others: number) =>
  countAnswers([...repeat(5, satisfied), ...repeat(2, others)].map((n) => ({ csat: n })));
const both = (...counts: Counts[]) => counts.reduce((total, c) => addCounts(total, c), {} as Counts);

describe('the periods a check compares', () => {
  // prettier-ignore
  it.each([
    ['day',   '2026-11-28', { period: '2026-11-27', from: '2026-11-27', to: '2026-11-27' }, { period: '2026-11-26', from: '2026-11-26', to: '2026-11-26' }],
    // Saturday of W48: the last complete week is W47 (Mon 16 – Sun 22).
    ['week',  '2026-11-28', { period: '2026-W47', from: '2026-11-16', to: '2026-11-22' }, { period: '2026-W46', from: '2026-11-09', to: '2026-11-15' }],
    // A Monday: the week that ended yesterday.
    ['week',  '2026-11-23', { period: '2026-W47', from: '2026-11-16', to: '2026-11-22' }, { period: '2026-W46', from: '2026-11-09', to: '2026-11-15' }],
    // Across a year: 2026-W01 starts on Monday 2025-12-29.
    ['week',  '2026-01-07', { period: '2026-W01', from: '2025-12-29', to: '2026-01-04' }, { period: '2025-W52', from: '2025-12-22', to: '2025-12-28' }],
    ['month', '2026-03-01', { period: '2026-02', from: '2026-02-01', to: '2026-02-28' }, { period: '2026-01', from: '2026-01-01', to: '2026-01-31' }],
    ['month', '2026-01-15', { period: '2025-12', from: '2025-12-01', to: '2025-12-31' }, { period: '2025-11', from: '2025-11-01', to: '2025-11-30' }],
  ] as const)('%s as of %s', (interval, date, current, previous) => {
    expect(comparedPeriods(date, interval)).toEqual({ current, previous });
  });
});

describe('when a fall is told', () => {
  // 30 → −30 on 100 answers each is significant (score-change.test.ts); on 10 each it is noise.
  // prettier-ignore
  it.each([
    ['a significant NPS fall with enough answers',     nps(50, 30, 20), nps(20, 30, 50), 20,  [{ metric: 'nps', delta: -60 }]],
    ['the same fall below minResponses in one period', nps(50, 30, 20), nps(20, 30, 50), 101, []],
    ['exactly minResponses in both is enough',         nps(50, 30, 20), nps(20, 30, 50), 100, [{ metric: 'nps', delta: -60 }]],
    ['a big fall on few answers is noise',             nps(5, 3, 2),    nps(2, 3, 5),    2,   []],
    ['a significant rise is no drop',                  nps(20, 30, 50), nps(50, 30, 20), 20,  []],
    ['no change',                                      nps(50, 30, 20), nps(50, 30, 20), 20,  []],
    ['a CSAT fall',                                    csat(80, 20),    csat(50, 50),    20,  [{ metric: 'csat', delta: -30 }]],
    ['both fall',                                      both(nps(50, 30, 20), csat(80, 20)), both(nps(20, 30, 50), csat(50, 50)), 20,
      [{ metric: 'nps', delta: -60 }, { metric: 'csat', delta: -30 }]],
    ['NPS falls, CSAT too thin',                       both(nps(50, 30, 20), csat(4, 0)), both(nps(20, 30, 50), csat(0, 4)), 20, [{ metric: 'nps', delta: -60 }]],
    ['a period without answers',                       {},              nps(20, 30, 50), 2,   []],
  ])('%s', (_, previous, current, minResponses, expected) => {
    expect(scoreDrops(previous, current, minResponses).map(({ metric, delta }) => ({ metric, delta }))).toEqual(expected);
  });

  it('gives both scores with their margins and answers', () => {
    const [drop] = scoreDrops(nps(50, 30, 20), nps(20, 30, 50), 20);
    expect(drop).toEqual({
      metric: 'nps',
      score: { score: -30, marginOfError95: 15.4, responses: 100 },
      previousScore: { score: 30, marginOfError95: 15.4, responses: 100 },
      delta: -60,
    });
  });

  it("a CSAT margin is the share's: 1.96 × 100 × √(p(1−p)/n)", () => {
    // p = .8, n = 100: 1.96 · 100 · .04 = 7.84 → 7.8.
    expect(metricScore('csat', csat(80, 20))).toEqual({ score: 80, marginOfError95: 7.8, responses: 100 });
    expect(metricScore('csat', csat(1, 0))).toEqual({ score: 100, marginOfError95: null, responses: 1 });
    expect(metricScore('nps', {})).toBeNull();
  });
});

describe('the segments that fell most', () => {
  const current = { period: '2026-W47', from: '2026-11-16', to: '2026-11-22' };
  const previous = { period: '2026-W46', from: '2026-11-09', to: '2026-11-15' };
  const segment = (dimension: string, key: string, before: Counts, after: Counts): SegmentDays[] => [
    { dimension, segment: key, day: '2026-11-10', counts: before },
    { dimension, segment: key, day: '2026-11-18', counts: after },
  ];

  it('are the three largest falls with 5 or more answers in both periods, worst first', () => {
    const days = [
      ...segment('channel', 'email', nps(5, 0, 0), nps(0, 0, 5)), // 100 → −100
      ...segment('channel', 'web', nps(5, 5, 0), nps(0, 5, 5)), // 50 → −50
      ...segment('attr.plan', 'pro', nps(5, 0, 5), nps(4, 0, 6)), // 0 → −20
      ...segment('attr.plan', 'free', nps(6, 0, 4), nps(5, 1, 4)), // 20 → 10: the fourth
      ...segment('attr.plan', 'team', nps(4, 0, 0), nps(0, 0, 9)), // 4 answers before: too few
      ...segment('attr.region', 'eu', nps(0, 0, 5), nps(5, 0, 0)), // a rise
      // Outside both periods: not counted.
      { dimension: 'attr.region', segment: 'us', day: '2026-11-01', counts: nps(9, 0, 0) },
      { dimension: 'attr.region', segment: 'us', day: '2026-11-20', counts: nps(0, 0, 9) },
    ];
    expect(segmentsThatFell('nps', days, previous, current)).toEqual([
      { dimension: 'channel', key: 'email', score: -100, previousScore: 100, delta: -200, responses: 5, previousResponses: 5 },
      { dimension: 'channel', key: 'web', score: -50, previousScore: 50, delta: -100, responses: 10, previousResponses: 10 },
      { dimension: 'attr.plan', key: 'pro', score: -20, previousScore: 0, delta: -20, responses: 10, previousResponses: 10 },
    ]);
  });

  it('sum a segment over the days of each period, and read only the metric asked', () => {
    const days: SegmentDays[] = [
      { dimension: 'channel', segment: 'sms', day: '2026-11-09', counts: csat(3, 0) },
      { dimension: 'channel', segment: 'sms', day: '2026-11-15', counts: csat(2, 0) },
      { dimension: 'channel', segment: 'sms', day: '2026-11-16', counts: csat(1, 2) },
      { dimension: 'channel', segment: 'sms', day: '2026-11-22', counts: csat(1, 1) },
    ];
    expect(segmentsThatFell('csat', days, previous, current)).toEqual([
      { dimension: 'channel', key: 'sms', score: 40, previousScore: 100, delta: -60, responses: 5, previousResponses: 5 },
    ]);
    expect(segmentsThatFell('nps', days, previous, current)).toEqual([]);
  });
});

describe('the score-drop alert', () => {
  const alert: ScoreDropAlert = {
    metric: 'nps',
    score: { score: -30, marginOfError95: 15.4, responses: 100 },
    previousScore: { score: 30, marginOfError95: 15.4, responses: 100 },
    delta: -60,
    survey: { surveyId: 'after-purchase', name: 'After purchase' },
    period: '2026-W47',
    previousPeriod: '2026-W46',
    segments: [
      { dimension: 'channel', key: 'email', score: -100, previousScore: 100, delta: -200, responses: 5, previousResponses: 5 },
    ],
    comments: [{ responseId: 'r-1', customerId: 'c-1', score: 2, comment: 'Broken again.' }],
    dashboardUrl: 'https://feedback.example/dashboard?survey=after-purchase',
  };

  it('is one event per survey, metric and period, stamped at the end of the period', () => {
    const event = scoreDropEvent(alert);
    expect(event).toMatchObject({
      id: 'alert.score_drop:after-purchase:nps:2026-W47',
      type: 'alert.score_drop',
      timestamp: '2026-11-23T00:00:00.000Z',
      data: { surveyId: 'after-purchase', metric: 'nps', period: '2026-W47', previousPeriod: '2026-W46', delta: -60 },
    });
    expect(event.data.score).toEqual(alert.score);
    expect(event.data.segments).toEqual(alert.segments);
    expect(event.data.comments).toEqual(alert.comments);
    expect(scoreDropEvent({ ...alert, period: '2026-11' }).timestamp).toBe('2026-12-01T00:00:00.000Z');
    expect(scoreDropEvent({ ...alert, period: '2026-11-27' }).timestamp).toBe('2026-11-28T00:00:00.000Z');
  });

  it('tells the team both scores with margins, the segments and the comments', () => {
    const { subject, body } = scoreDropMessage(alert);
    expect(subject).toBe('Score drop: NPS of After purchase fell -60 points in 2026-W47');
    expect(body).toContain('2026-W46: 30 ± 15.4 (100 answers)');
    expect(body).toContain('2026-W47: -30 ± 15.4 (100 answers)');
    expect(body).toContain('- channel = email: 100 -> -100 (-200; 5 answers)');
    expect(body).toContain('- 2: "Broken again." (c-1)');
    expect(body).toContain('https://feedback.example/dashboard?survey=after-purchase');
  });
});

describe('score-drop settings from the env', () => {
  it('default to a week and 20 answers, and refuse what the config would', () => {
    expect(parseScoreDropSettings(undefined, undefined)).toEqual({ interval: 'week', minResponses: 20 });
    expect(parseScoreDropSettings('month', '50')).toEqual({ interval: 'month', minResponses: 50 });
    expect(() => parseScoreDropSettings('total', undefined)).toThrow(/interval/);
    expect(() => parseScoreDropSettings(undefined, 'many')).toThrow(/minResponses/);
  });
});
