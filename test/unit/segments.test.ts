import { describe, expect, it } from 'vitest';
import {
  bucketsOf,
  changeContributions,
  countAnswers,
  InvalidResponseImage,
  isProfileBackfill,
  readResponseImage,
  scoreReport,
  type BucketKey,
  type Counts,
} from '../../functions/core/scores.ts';
import { profileStrings } from '../../functions/data/responses.ts';

/** The contract's Segments: own attributes laid over the profile snapshot, `key: null` for the rest, change per period. */

const json = (profile: Record<string, string>) => JSON.stringify(profile);
const stored = (fields: Record<string, unknown>) => ({
  surveyId: 's-1',
  submittedAt: '2026-11-02T10:00:00Z',
  nps: 9,
  ...fields,
});
const segmentsOf = (item: Record<string, unknown>, segmentBy = ['plan', 'region']) =>
  bucketsOf(readResponseImage(item), segmentBy)
    .filter((b) => b.dimension !== 'all')
    .map((b) => [b.dimension, b.segment]);

describe('a response counts in the segments of its attributes laid over its profile snapshot', () => {
  it.each([
    [
      'a link answer without attributes: the profile',
      { scoredProfile: json({ plan: 'pro', region: 'eu' }) },
      [
        ['attr.plan', 'pro'],
        ['attr.region', 'eu'],
      ],
    ],
    [
      "the response's own value wins",
      { attributes: { plan: 'free' }, scoredProfile: json({ plan: 'pro', region: 'eu' }) },
      [
        ['attr.plan', 'free'],
        ['attr.region', 'eu'],
      ],
    ],
    ['own attributes only (anonymous, or stored before snapshots)', { attributes: { region: 'us' } }, [['attr.region', 'us']]],
    ['nothing to segment by: no segment (the report shows it under null)', { channel: 'email' }, [['channel', 'email']]],
    ['an empty profile', { scoredProfile: json({}) }, []],
    ['profile values not in segmentBy are not segments', { scoredProfile: json({ seats: '10' }) }, []],
  ])('%s', (_name, fields, expected) => {
    expect(segmentsOf(stored(fields))).toEqual(expected);
  });

  it('keeps an own empty value over the profile (a value, not an absence)', () => {
    expect(segmentsOf(stored({ attributes: { plan: '' }, scoredProfile: json({ plan: 'pro' }) }), ['plan'])).toEqual([
      ['attr.plan', ''],
    ]);
  });

  it('makes a response whose snapshot is not JSON text poison, as any unreadable field', () => {
    expect(() => readResponseImage(stored({ scoredProfile: '{plan' }))).toThrow(InvalidResponseImage);
    expect(() => readResponseImage(stored({ scoredProfile: { plan: 'pro' } }))).toThrow(InvalidResponseImage);
  });

  it('moves a response between segments only when what it is scored by changes', () => {
    const before = readResponseImage(stored({ scoredProfile: json({ plan: 'pro' }) }));
    const sameSegments = readResponseImage(stored({ nps: 3, scoredProfile: json({ plan: 'pro' }) }));
    const moved = changeContributions(before, sameSegments, () => ['plan']);
    expect([...moved.values()].map((c) => [c.key.dimension, c.counts])).toEqual([
      ['all', { nps9: -1, nps3: 1 }],
      ['attr.plan', { nps9: -1, nps3: 1 }],
    ]);
    const ownValue = readResponseImage(stored({ attributes: { plan: 'free' }, scoredProfile: json({ plan: 'pro' }) }));
    const regrouped = changeContributions(before, ownValue, () => ['plan']);
    expect([...regrouped.values()].map((c) => [c.key.segment, c.counts])).toEqual([
      ['pro', { responses: -1, nps9: -1 }],
      ['free', { responses: 1, nps9: 1 }],
    ]);
  });

  it('reads profile values as strings: numbers and booleans are segments like any value', () => {
    expect(
      profileStrings(
        new Map<string, unknown>([
          ['plan', 'pro'],
          ['seats', 10],
          ['trial', false],
          ['x', null],
        ]),
      ),
    ).toEqual({
      plan: 'pro',
      seats: '10',
      trial: 'false',
    });
    expect(profileStrings(undefined)).toEqual({});
  });
});

describe("rebuild's profile backfill", () => {
  it.each([
    ['gives the snapshot without a submission', { version: 2 }, { version: 2, scoredProfile: json({}) }, true],
    ['a submission (the version moves)', { version: 2 }, { version: 3, scoredProfile: json({ plan: 'pro' }) }, false],
    [
      'a later write of a response that had one',
      { version: 2, scoredProfile: json({}) },
      { version: 2, scoredProfile: json({}) },
      false,
    ],
    ['a write without one', { version: 2 }, { version: 2 }, false],
  ])('%s: %s', (_name, before, after, backfill) => {
    expect(isProfileBackfill(before, after)).toBe(backfill);
  });
});

const day = (d: string, dimension: string, segment: string, counts: Counts): BucketKey & { counts: Counts } => ({
  surveyId: 's-1',
  day: d,
  dimension,
  segment,
  counts,
});

describe('segments with key null', () => {
  // Four answers on one day: two by email, one on the web, one without a channel; invitations on the `all` item.
  const all = { ...countAnswers([{ nps: 10 }, { nps: 9 }, { nps: 0 }, { nps: 6 }]), invitationsSent: 5, invitationsAnswered: 4 };
  const days = [
    day('2026-11-02', 'all', '*', all),
    day('2026-11-02', 'channel', 'email', countAnswers([{ nps: 10 }, { nps: 9 }])),
    day('2026-11-02', 'channel', 'web', countAnswers([{ nps: 0 }])),
  ];
  const query = { surveyId: 's-1', from: '2026-11-01', to: '2026-11-03', interval: 'total' as const, by: 'channel' };

  it('hold what the total has beyond the segments, last, so the segments add up to the total', () => {
    const { segments, total } = scoreReport(query, days);
    expect(segments!.map((s) => [s.key, s.responses, s.nps?.score])).toEqual([
      ['email', 2, 100],
      ['web', 1, -100],
      [null, 1, -100],
    ]);
    expect(segments!.reduce((n, s) => n + s.responses, 0)).toBe(total.responses);
    expect(JSON.stringify(segments!.at(-1))).toMatch(/^\{"key":null,/);
  });

  it('are left out when every response has a value', () => {
    const complete = [...days, day('2026-11-02', 'channel', 'web', countAnswers([{ nps: 6 }]))];
    // Two items of one segment (a day read twice cannot happen; a second day can): they add up.
    const { segments } = scoreReport(query, complete);
    expect(segments!.map((s) => [s.key, s.responses])).toEqual([
      ['email', 2],
      ['web', 2],
    ]);
  });

  it('hold every response when the dimension has no segment in range', () => {
    const { segments } = scoreReport({ ...query, by: 'attr.plan' }, days);
    expect(segments).toEqual([expect.objectContaining({ key: null, responses: 4 })]);
    expect(segments![0]).not.toHaveProperty('invitations');
  });

  it('are not there without responses', () => {
    expect(scoreReport(query, []).segments).toEqual([]);
  });
});

describe('change on every series item', () => {
  // Hand-computed (the contract's formulas):
  // 11-01: NPS 10,10,0,0 → 0 (s² = 40000/3); CSAT 5,5,1,1 → 50 (p = .5)
  // 11-02: NPS 10,10,10,10 → 100 (s² = 0); CSAT 5,5,5,1 → 75 (p = .75)
  //   NPS d = 100, SE = sqrt(40000/3/4) = 57.74, 1.96 SE = 113.2 → not significant
  //   CSAT d = 25, SE = 100 sqrt(.25/4 + .1875/4) = 33.07, 1.96 SE = 64.8 → not significant
  // 11-03: NPS 10,10,0,0,0,0 → −33.3 (s² = 10666.7); no CSAT
  //   NPS d = −133.3, SE = sqrt(10666.7/6 + 0/4) = 42.16, 1.96 SE = 82.6 → significant; CSAT null (no answers)
  // 11-04: nothing → both null
  const answers = {
    '2026-11-01': [
      { nps: 10, csat: 5 },
      { nps: 10, csat: 5 },
      { nps: 0, csat: 1 },
      { nps: 0, csat: 1 },
    ],
    '2026-11-02': [
      { nps: 10, csat: 5 },
      { nps: 10, csat: 5 },
      { nps: 10, csat: 5 },
      { nps: 10, csat: 1 },
    ],
    '2026-11-03': [{ nps: 10 }, { nps: 10 }, { nps: 0 }, { nps: 0 }, { nps: 0 }, { nps: 0 }],
  };
  const days = Object.entries(answers).map(([d, list]) => day(d, 'all', '*', countAnswers(list)));

  it('compares each period with the one before; the first has none', () => {
    const report = scoreReport({ surveyId: 's-1', from: '2026-11-01', to: '2026-11-04', interval: 'day' }, days);
    expect(report.series.map((p) => [p.period, p.change])).toEqual([
      ['2026-11-01', null],
      ['2026-11-02', { nps: { delta: 100, significant: false }, csat: { delta: 25, significant: false } }],
      ['2026-11-03', { nps: { delta: -133.3, significant: true }, csat: null }],
      ['2026-11-04', { nps: null, csat: null }],
    ]);
  });

  it('compares the periods of the interval (one week against the last)', () => {
    const report = scoreReport({ surveyId: 's-1', from: '2026-10-26', to: '2026-11-08', interval: 'week' }, days);
    // W44 (10-26…11-01) holds 11-01; W45 holds 11-02 and 11-03: NPS 20 of 10 answers against 0 of 4 (1.96 SE = 130).
    expect(report.series.map((p) => [p.period, p.nps?.score ?? null, p.change?.nps ?? null])).toEqual([
      ['2026-W44', 0, null],
      ['2026-W45', 20, { delta: 20, significant: false }],
    ]);
  });
});
