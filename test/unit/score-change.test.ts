import { describe, expect, it } from 'vitest';
import { csatChange, npsChange, scoreChange } from '../../functions/core/score-change.ts';
import { countAnswers } from '../../functions/core/scores.ts';

const repeat = (value: number, times: number) => Array.from({ length: times }, () => value);
/** NPS counts of `promoters` 10s, `passives` 8s and `detractors` 3s. */
const nps = (promoters: number, passives: number, detractors: number) =>
  countAnswers([...repeat(10, promoters), ...repeat(8, passives), ...repeat(3, detractors)].map((n) => ({ nps: n })));
/** CSAT counts of `satisfied` 5s and `others` 2s. */
const csat = (satisfied: number, others: number) =>
  countAnswers([...repeat(5, satisfied), ...repeat(2, others)].map((n) => ({ csat: n })));

// Each case computed by hand from the contract's formulas; the comment gives the working.
describe('NPS change', () => {
  it.each([
    // 30 → −30. s² = (5·70² + 3·30² + 2·130²)/9 = 6777.8 in each; SE = √(2·677.8) = 36.8; 1.96·SE = 72.2 > 60.
    ['a big move on 10 answers each is noise', nps(5, 3, 2), nps(2, 3, 5), { delta: -60, significant: false }],
    // 30 → −30 on 100 each: s² = 610000/99 = 6161.6; SE = √(2·61.6) = 11.1; 1.96·SE = 21.8 < 60.
    ['the same move on 100 answers each is real', nps(50, 30, 20), nps(20, 30, 50), { delta: -60, significant: true }],
    // 30 → 40 on 100 each: s² = 6161.6 and (50·60² + 40·40² + 10·140²)/99 = 4444.4; SE = √(61.6 + 44.4) = 10.3; 20.2 > 10.
    ['a small rise on 100 answers is noise', nps(50, 30, 20), nps(50, 40, 10), { delta: 10, significant: false }],
    // Both periods without spread: SE = 0, so any difference is significant…
    ['all promoters, then all detractors', nps(2, 0, 0), nps(0, 0, 2), { delta: -200, significant: true }],
    // …and none is not.
    ['all promoters twice', nps(3, 0, 0), nps(5, 0, 0), { delta: 0, significant: false }],
    // 33.3 → 66.7: the delta is the difference of the scores as shown, 33.4, not 33.33….
    ['deltas of rounded scores', nps(1, 2, 0), nps(2, 1, 0), { delta: 33.4, significant: false }],
  ])('%s', (_, previous, current, expected) => {
    expect(npsChange(previous, current)).toEqual(expected);
  });

  it('is null when either period has fewer than 2 answers', () => {
    expect(npsChange(nps(1, 0, 0), nps(5, 5, 5))).toBeNull();
    expect(npsChange(nps(5, 5, 5), nps(0, 0, 1))).toBeNull();
    expect(npsChange({}, nps(5, 5, 5))).toBeNull();
  });
});

describe('CSAT change', () => {
  it.each([
    // 80 → 50 on 10 each: SE = 100·√(.8·.2/10 + .5·.5/10) = 20.2; 1.96·SE = 39.7 > 30.
    ['30 points on 10 answers each is noise', csat(8, 2), csat(5, 5), { delta: -30, significant: false }],
    // The same shares on 100 each: SE = 6.4; 1.96·SE = 12.5 < 30.
    ['30 points on 100 answers each is real', csat(80, 20), csat(50, 50), { delta: -30, significant: true }],
    // 100 → 0: both shares 0 or 1, SE = 0.
    ['all satisfied, then none', csat(4, 0), csat(0, 4), { delta: -100, significant: true }],
    // 66.7 → 33.3 on 3 each: SE = 100·√(2·(2/9)/3) = 38.5; 75.4 > 33.4.
    ['a third on 3 answers each', csat(2, 1), csat(1, 2), { delta: -33.4, significant: false }],
  ])('%s', (_, previous, current, expected) => {
    expect(csatChange(previous, current)).toEqual(expected);
  });

  it('is null when either period has fewer than 2 answers', () => {
    expect(csatChange(csat(1, 0), csat(5, 5))).toBeNull();
    expect(csatChange(csat(5, 5), {})).toBeNull();
  });
});

describe('scoreChange', () => {
  it('reports each metric on its own, null where a period lacks its answers', () => {
    const previous = countAnswers([
      { nps: 10, csat: 5 },
      { nps: 10, csat: 5 },
    ]);
    const current = countAnswers([{ nps: 0, csat: 1 }, { nps: 0 }]);
    expect(scoreChange(previous, current)).toEqual({ nps: { delta: -200, significant: true }, csat: null });
  });
});
