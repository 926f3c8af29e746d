import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../../functions/core/errors.ts';
import {
  ANONYMOUS_SEGMENT_LIMIT,
  OTHER_SEGMENT,
  placeAnonymous,
  segmentValuesOf,
  bucketsOf,
  changeContributions,
  countAnswers,
  csatOf,
  isoWeek,
  mergeContributions,
  npsOf,
  periodsIn,
  readResponseImage,
  reportRange,
  roundedRatio,
  scoresOf,
  seriesOf,
  InvalidResponseImage,
  type Contribution,
  type Counts,
} from '../../functions/core/scores.ts';

const nps = (...answers: number[]) => npsOf(countAnswers(answers.map((n) => ({ nps: n }))));
const repeat = (value: number, times: number) => Array.from({ length: times }, () => value);

describe('NPS against public vectors', () => {
  it.each([
    ['Formbricks {10, 7, 3, 9}', [10, 7, 3, 9], { score: 25, promoters: 2, passives: 1, detractors: 1, responses: 4 }],
    [
      "Delighted's 32 promoters, 13 passives, 6 detractors",
      [...repeat(10, 32), ...repeat(8, 13), ...repeat(5, 6)],
      { score: 51, promoters: 32, passives: 13, detractors: 6, responses: 51 },
    ],
    // nps-calculator.com style distributions: all promoters, all detractors, one of each answer, a split.
    ['all promoters', repeat(9, 20), { score: 100, responses: 20 }],
    ['all detractors', repeat(0, 7), { score: -100, responses: 7 }],
    ['one of each answer 0–10', [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { score: -45.5, promoters: 2, passives: 2, detractors: 7 }],
    ['50 promoters, 30 passives, 20 detractors', [...repeat(9, 50), ...repeat(7, 30), ...repeat(6, 20)], { score: 30 }],
    ['1 promoter, 2 detractors (rounds 1/3 away from zero)', [10, 0, 0], { score: -33.3 }],
  ])('%s', (_, answers, expected) => {
    expect(nps(...answers)).toMatchObject(expected);
  });

  it('computes the 95 % margin of error from the sample variance of +100/0/−100, null below two answers', () => {
    // 50/30/20: mean 30, s² = (50·70² + 30·30² + 20·130²)/99 = 6161.6…, MoE = 1.96·√(s²/100) = 15.385 → 15.4
    expect(nps(...repeat(9, 50), ...repeat(7, 30), ...repeat(6, 20))!.marginOfError95).toBe(15.4);
    expect(nps(10, 10)!.marginOfError95).toBe(0);
    expect(nps(10)!.marginOfError95).toBeNull();
  });

  it('is null without NPS answers', () => {
    expect(npsOf(countAnswers([{ csat: 5 }]))).toBeNull();
  });
});

describe('CSAT and CES', () => {
  it("Delighted's CSAT: 74 satisfied of 107 → 69.2 %", () => {
    const answers = [...repeat(5, 40), ...repeat(4, 34), ...repeat(3, 13), ...repeat(2, 10), ...repeat(1, 10)];
    const csat = csatOf(countAnswers(answers.map((csat) => ({ csat }))))!;
    expect(csat.score).toBe(69.2);
    expect(csat.responses).toBe(107);
    expect(csat.average).toBe(roundedRatio(40 * 5 + 34 * 4 + 13 * 3 + 10 * 2 + 10, 107, 2));
    expect(csat.distribution).toEqual({ '1': 10, '2': 10, '3': 13, '4': 34, '5': 40 });
  });

  it('averages CES with two decimals and leaves absent metrics null', () => {
    const scores = scoresOf(countAnswers([{ ces: 1 }, { ces: 2 }, { ces: 2 }, { nps: 9 }]));
    expect(scores.responses).toBe(4);
    expect(scores.ces).toEqual({
      average: 1.67,
      responses: 3,
      distribution: { '1': 1, '2': 2, '3': 0, '4': 0, '5': 0, '6': 0, '7': 0 },
    });
    expect(scores.csat).toBeNull();
  });

  it('rounds exactly, half away from zero, without float drift', () => {
    expect(roundedRatio(1, 8, 2)).toBe(0.13); // 0.125
    expect(roundedRatio(-1, 8, 2)).toBe(-0.13);
    expect(roundedRatio(6915, 100, 1)).toBe(69.2); // 69.15 is 69.149999… in binary
    expect(roundedRatio(0, 5, 1)).toBe(0);
  });
});

describe('periods', () => {
  it.each([
    ['2026-11-24', '2026-W48'],
    ['2026-01-01', '2026-W01'], // a Thursday
    ['2027-01-01', '2026-W53'], // a Friday: the last week of 2026, which has 53
    ['2024-12-30', '2025-W01'],
    ['2021-01-03', '2020-W53'],
  ])('%s is in ISO week %s', (day, week) => expect(isoWeek(day)).toBe(week));

  it('lists every period with a day in range, empty ones included', () => {
    expect(periodsIn('2026-11-29', '2026-12-02', 'day')).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    expect(periodsIn('2026-11-29', '2026-12-08', 'week')).toEqual(['2026-W48', '2026-W49', '2026-W50']);
    expect(periodsIn('2026-10-31', '2027-01-01', 'month')).toEqual(['2026-10', '2026-11', '2026-12', '2027-01']);
    expect(periodsIn('2026-10-31', '2027-01-01', 'total')).toEqual(['total']);
  });

  it('sums days into periods, ignoring days out of range', () => {
    const days: Array<{ day: string; counts: Counts }> = [
      { day: '2026-11-23', counts: { responses: 1, nps9: 1 } },
      { day: '2026-11-29', counts: { responses: 2, nps0: 2 } },
      { day: '2026-11-30', counts: { responses: 1, nps10: 1 } },
      { day: '2026-12-31', counts: { responses: 5, nps10: 5 } },
    ];
    expect(seriesOf(days, '2026-11-23', '2026-11-30', 'week')).toEqual([
      { period: '2026-W48', counts: { responses: 3, nps9: 1, nps0: 2 } },
      { period: '2026-W49', counts: { responses: 1, nps10: 1 } },
    ]);
  });
});

describe('responses → contributions', () => {
  const image = (overrides: Record<string, unknown> = {}) =>
    readResponseImage({
      surveyId: 's-1',
      submittedAt: '2026-11-24T23:59:59.999Z',
      nps: 9,
      channel: 'email',
      attributes: { plan: 'pro', region: 'eu' },
      ...overrides,
    });
  const segments = () => ['plan'];

  it('counts a response overall, by channel and by declared segments only', () => {
    expect(bucketsOf(image(), ['plan', 'size']).map((b) => `${b.dimension}=${b.segment}`)).toEqual([
      'all=*',
      'channel=email',
      'attr.plan=pro',
    ]);
  });

  it('finds only a response’s own attributes, whatever Object.prototype carries', () => {
    const names = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf'];
    expect(bucketsOf(image(), names).map((b) => `${b.dimension}=${b.segment}`)).toEqual(['all=*', 'channel=email']);
    const own = image({ attributes: JSON.parse('{"constructor":"c","toString":"t"}') });
    expect(bucketsOf(own, names).map((b) => `${b.dimension}=${b.segment}`)).toEqual([
      'all=*',
      'channel=email',
      'attr.constructor=c',
      'attr.toString=t',
    ]);
  });

  it('counts an anonymous answer in the segments it was placed in when accepted, and in no other', () => {
    const placed = image({ scoredSegments: { channel: OTHER_SEGMENT, 'attr.plan': 'pro' } });
    expect(bucketsOf(placed, ['plan', 'region']).map((b) => `${b.dimension}=${b.segment}`)).toEqual([
      'all=*',
      `channel=${OTHER_SEGMENT}`,
      'attr.plan=pro',
    ]);
    // Placed with no values (none declared then): a segmentBy added later does not count its raw attributes.
    expect(bucketsOf(image({ scoredSegments: {} }), ['plan']).map((b) => b.dimension)).toEqual(['all']);
    expect(() => image({ scoredSegments: 'x' })).toThrow(InvalidResponseImage);
  });

  it('places anonymous values: known ones as given, new ones while there is room, the rest in the overflow', () => {
    const full = new Set(Array.from({ length: ANONYMOUS_SEGMENT_LIMIT }, (_, i) => `v${i}`));
    // prettier-ignore
    const cases: Array<[ReadonlySet<string> | undefined, string, ReturnType<typeof placeAnonymous>]> = [
      [undefined,          'web',        'register'],
      [new Set(['web']),   'web',        { segment: 'web' }],
      [new Set(['web']),   'sms',        'register'],
      [full,               'v7',         { segment: 'v7' }],
      [full,               'new',        { segment: OTHER_SEGMENT }],
      [full,               OTHER_SEGMENT, { segment: OTHER_SEGMENT }],
      [undefined,          OTHER_SEGMENT, { segment: OTHER_SEGMENT }],
    ];
    for (const [known, value, place] of cases) expect(placeAnonymous(known, value)).toEqual(place);
    expect(segmentValuesOf({ channel: 'web', attributes: { plan: 'pro', region: 'eu' } }, ['plan', 'size'])).toEqual([
      ['channel', 'web'],
      ['attr.plan', 'pro'],
    ]);
  });

  it('moves the old answers out and the new in, across days and segments, netting what did not change', () => {
    const before = image();
    const after = image({ submittedAt: '2026-11-25T00:00:00Z', nps: 3, attributes: { plan: 'free' } });
    const change = changeContributions(before, after, segments);
    const flat = [...change.values()].map((c) => [c.key.day, c.key.dimension, c.key.segment, c.counts]);
    expect(flat).toEqual([
      ['2026-11-24', 'all', '*', { responses: -1, nps9: -1 }],
      ['2026-11-24', 'channel', 'email', { responses: -1, nps9: -1 }],
      ['2026-11-24', 'attr.plan', 'pro', { responses: -1, nps9: -1 }],
      ['2026-11-25', 'all', '*', { responses: 1, nps3: 1 }],
      ['2026-11-25', 'channel', 'email', { responses: 1, nps3: 1 }],
      ['2026-11-25', 'attr.plan', 'free', { responses: 1, nps3: 1 }],
    ]);
    expect(changeContributions(before, image({ comment: 'edited' }), segments).size).toBe(0);
  });

  it.each([
    ['an answer out of scale', { nps: 11 }],
    ['a fractional answer', { csat: 4.5 }],
    ['no answer', { nps: undefined }],
    ['a bad date', { submittedAt: 'yesterday' }],
    ['a bad survey id', { surveyId: 'Not A Survey' }],
  ])('rejects %s as poison', (_, overrides) => {
    expect(() => image(overrides)).toThrow(InvalidResponseImage);
  });

  it('equals a recount on random data after random edits and deletes', () => {
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]!;
    const randomImage = () =>
      readResponseImage({
        surveyId: pick(['a', 'b']),
        submittedAt: `2026-11-${pick(['01', '02', '03'])}T12:00:00Z`,
        ...(random() < 0.8 ? { nps: Math.floor(random() * 11) } : { csat: 1 + Math.floor(random() * 5) }),
        ...(random() < 0.5 ? { ces: 1 + Math.floor(random() * 7) } : {}),
        channel: pick(['email', 'web']),
        attributes: { plan: pick(['pro', 'free']) },
      });
    const live = new Map<number, ReturnType<typeof randomImage>>();
    const running = new Map<string, Contribution>();
    for (let step = 0; step < 3000; step++) {
      const id = Math.floor(random() * 400);
      const before = live.get(id);
      const after = random() < 0.15 ? undefined : randomImage();
      if (after) live.set(id, after);
      else live.delete(id);
      mergeContributions(running, changeContributions(before, after, segments));
    }
    const recount = new Map<string, Contribution>();
    for (const response of live.values()) mergeContributions(recount, changeContributions(undefined, response, segments));
    const asObject = (m: Map<string, Contribution>) => Object.fromEntries([...m].map(([id, c]) => [id, c.counts]));
    expect(asObject(running)).toEqual(asObject(recount));
    expect(recount.size).toBeGreaterThan(10);
  });
});

describe('report ranges', () => {
  it.each([
    [undefined, undefined, { from: '2026-10-26', to: '2026-11-24' }],
    ['2026-11-01', undefined, { from: '2026-11-01', to: '2026-11-24' }],
    ['2026-09-01', undefined, { from: '2026-09-01', to: '2026-11-24' }],
    [undefined, '2026-02-28', { from: '2026-01-30', to: '2026-02-28' }],
  ])('from %s to %s covers %o (today 2026-11-24)', (from, to, expected) => {
    expect(reportRange(from, to, '2026-11-24')).toEqual(expected);
  });

  it('rejects a backwards or over-long range', () => {
    const issuesOf = (from: string, to: string) => {
      try {
        reportRange(from, to, '2026-11-24');
      } catch (error) {
        return error instanceof ValidationFailed ? error.issues : error;
      }
      return 'no error';
    };
    expect(issuesOf('2026-11-02', '2026-11-01')).toEqual([{ path: 'from', message: '"from" must not be after "to".' }]);
    expect(issuesOf('2000-01-01', '2026-01-01')).toEqual([
      { path: 'to', message: 'A range spans at most 3660 days (from and to included).' },
    ]);
  });
});
