import { describe, expect, it } from 'vitest';
import {
  assertWalkable,
  dateIssues,
  dateProblem,
  EARLIEST_DATE,
  MAX_RANGE_DAYS,
  spanIssues,
} from '../../functions/core/date-range.ts';
import { addDays } from '../../functions/core/dates.ts';
import { ValidationFailed } from '../../functions/core/errors.ts';
import { periodsIn, reportRange, resolveReportRange, scoreReport, seriesOf } from '../../functions/core/scores.ts';
import { routes as listingRoutes } from '../../functions/list-responses/routes.ts';
import { routes as scoreRoutes } from '../../functions/report-scores/routes.ts';

/** The bounds of the dates a request may name (issue 8, hostile 1): checked before any day is walked. */
const TODAY = '2026-11-24';
/** The last day of the longest range that starts on EARLIEST_DATE. */
const LONGEST_TO = addDays(EARLIEST_DATE, MAX_RANGE_DAYS - 1);
/** A range of `days` days (both ends included) that ends on `to`. */
const ending = (to: string, days: number) => ({ from: addDays(to, -(days - 1)), to });

/** Runs fn and says how long it took: the hostile ranges must be refused at once, not after a walk. */
function timed<T>(fn: () => T): { value: T; ms: number } {
  const start = performance.now();
  const value = fn();
  return { value, ms: performance.now() - start };
}

describe('a date a request names', () => {
  it.each([EARLIEST_DATE, '2026-02-28', '2024-02-29', TODAY, '2026-11-25', '2026-12-31', '2027-11-25'])(
    '%s is usable (today 2026-11-24)',
    (day) => {
      expect(dateProblem(day, TODAY)).toBeUndefined();
    },
  );

  it.each([
    ['9999-12-31', 'Use a date from 2000-01-01 to 2027-11-25 (UTC).'],
    ['2027-11-26', 'Use a date from 2000-01-01 to 2027-11-25 (UTC).'],
    ['1999-12-31', 'Use a date from 2000-01-01 to 2027-11-25 (UTC).'],
    ['0000-01-05', 'Use a date from 2000-01-01 to 2027-11-25 (UTC).'],
    ['0050-06-01', 'Use a date from 2000-01-01 to 2027-11-25 (UTC).'],
    ['2026-02-29', 'Use a real date as YYYY-MM-DD.'],
    ['+010000-01-01', 'Use a real date as YYYY-MM-DD.'],
    ['-000001-12-07', 'Use a real date as YYYY-MM-DD.'],
    ['2026-1-5', 'Use a real date as YYYY-MM-DD.'],
  ])('%s is refused: %s', (day, message) => {
    expect(dateProblem(day, TODAY)).toBe(message);
  });

  it('names each end that is wrong', () => {
    expect(dateIssues({ from: '9999-12-31', to: '9999-12-31' }, TODAY).map((i) => i.path)).toEqual(['from', 'to']);
    expect(dateIssues({ to: '0000-01-05' }, TODAY).map((i) => i.path)).toEqual(['to']);
    expect(dateIssues({}, TODAY)).toEqual([]);
  });
});

describe('a span', () => {
  it('is in order and, where a limit applies, at most that many days with both ends', () => {
    expect(spanIssues({ from: '2026-11-02', to: '2026-11-01' })).toEqual([
      { path: 'from', message: '"from" must not be after "to".' },
    ]);
    expect(spanIssues({ from: EARLIEST_DATE, to: LONGEST_TO }, MAX_RANGE_DAYS)).toEqual([]);
    expect(spanIssues({ from: EARLIEST_DATE, to: addDays(LONGEST_TO, 1) }, MAX_RANGE_DAYS)).toEqual([
      { path: 'to', message: `A range spans at most ${MAX_RANGE_DAYS} days (from and to included).` },
    ]);
    expect(spanIssues({ from: EARLIEST_DATE, to: TODAY })).toEqual([]);
  });
});

describe('walking a range day by day', () => {
  it.each([
    ['past year 9999', { from: '9999-12-31', to: '+010000-01-01' }],
    ['year 0000', { from: '0000-01-01', to: '0000-01-05' }],
    ['what the old default made of to=0000-01-05', { from: '-000001-12', to: '0000-01-05' }],
    ['one day over the limit', { from: EARLIEST_DATE, to: addDays(LONGEST_TO, 1) }],
    ['backwards', { from: '2026-11-02', to: '2026-11-01' }],
    ['not dates', { from: 'x', to: 'y' }],
  ])('refuses %s at once instead of looping', (_, range) => {
    const { value, ms } = timed(() => {
      try {
        periodsIn(range.from, range.to, 'day');
        return 'walked';
      } catch (error) {
        return error;
      }
    });
    expect(value).toBeInstanceOf(RangeError);
    expect(ms).toBeLessThan(100);
    expect(() => assertWalkable(range)).toThrow(RangeError);
    expect(() => seriesOf([], range.from, range.to, 'total')).toThrow(RangeError);
  });

  it.each([
    ['day', MAX_RANGE_DAYS],
    ['week', 524],
    ['month', 121],
    ['total', 1],
  ] as const)('walks the longest range by %s: %d periods', (interval, periods) => {
    const { value, ms } = timed(() => periodsIn(EARLIEST_DATE, LONGEST_TO, interval));
    expect(value).toHaveLength(periods);
    expect(ms).toBeLessThan(1000);
  });

  it('walks one day, the last day of year 9999 too (a string comparison with the next day looped forever)', () => {
    expect(periodsIn(EARLIEST_DATE, EARLIEST_DATE, 'day')).toEqual([EARLIEST_DATE]);
    expect(timed(() => periodsIn('9999-12-31', '9999-12-31', 'day')).value).toEqual(['9999-12-31']);
  });

  it('builds a report of the longest range with every period', () => {
    const report = scoreReport({ surveyId: 's-1', ...ending(TODAY, MAX_RANGE_DAYS), interval: 'day' }, []);
    expect(report.series).toHaveLength(MAX_RANGE_DAYS);
    expect(report.series.at(-1)?.period).toBe(TODAY);
  });
});

describe('the range a scores request covers', () => {
  const issuesOf = (from: string | undefined, to: string | undefined) => resolveReportRange(from, to, TODAY).issues;
  const pathsOf = (from: string | undefined, to: string | undefined) => issuesOf(from, to)?.map((i) => i.path);

  it.each([
    ['9999-12-31', '9999-12-31', ['from', 'to']],
    [undefined, '0000-01-05', ['to']],
    ['0000-01-01', undefined, ['from']],
    ['2026-11-26', undefined, ['from']],
    ['2026-11-25', undefined, ['from']], // tomorrow is a usable date, but after the default `to` (today)
    [undefined, '2027-11-26', ['to']],
    ['2026-11-10', '2026-11-01', ['from']],
    [EARLIEST_DATE, addDays(LONGEST_TO, 1), ['to']],
    [EARLIEST_DATE, undefined, ['to']], // to defaults to today: far more than ten years
  ])('from %s to %s is refused at %o', (from, to, paths) => {
    expect(pathsOf(from, to)).toEqual(paths);
    expect(() => reportRange(from, to, TODAY)).toThrow(ValidationFailed);
  });

  it.each([
    [undefined, undefined, { from: '2026-10-26', to: TODAY }],
    [EARLIEST_DATE, LONGEST_TO, { from: EARLIEST_DATE, to: LONGEST_TO }],
    [EARLIEST_DATE, EARLIEST_DATE, { from: EARLIEST_DATE, to: EARLIEST_DATE }],
    [undefined, EARLIEST_DATE, { from: EARLIEST_DATE, to: EARLIEST_DATE }], // the default 30 days stop at the earliest
    [undefined, '2000-01-10', { from: EARLIEST_DATE, to: '2000-01-10' }],
    [TODAY, undefined, { from: TODAY, to: TODAY }],
    [undefined, '2026-11-25', { from: '2026-10-27', to: '2026-11-25' }],
    [addDays(TODAY, -(MAX_RANGE_DAYS - 1)), undefined, ending(TODAY, MAX_RANGE_DAYS)],
  ])('from %s to %s covers %o', (from, to, range) => {
    expect(resolveReportRange(from, to, TODAY)).toEqual({ range });
    expect(reportRange(from, to, TODAY)).toEqual(range);
  });
});

describe('the routes’ declared query schemas', () => {
  const scores = scoreRoutes['GET /v1/surveys/{surveyId}/scores'].query;
  const listing = listingRoutes['GET /v1/surveys/{surveyId}/responses'].query;
  const paths = (result: { success: boolean; error?: { issues: Array<{ path: PropertyKey[] }> } }) =>
    result.success ? [] : result.error!.issues.map((i) => i.path.join('.'));
  const today = new Date().toISOString().slice(0, 10);

  it.each([
    [{ from: '9999-12-31', to: '9999-12-31' }, ['from', 'to']],
    [{ to: '0000-01-05' }, ['to']],
    [{ from: '0000-01-01' }, ['from']],
    [{ from: '2026-11-10', to: '2026-11-01' }, ['from']],
    [ending(today, MAX_RANGE_DAYS + 1), ['to']],
    [{ from: addDays(today, -MAX_RANGE_DAYS) }, ['to']],
  ])('scores: %o is refused at %o', (query, expected) => {
    expect(paths(scores.safeParse(query))).toEqual(expected);
  });

  it.each([{}, ending(today, MAX_RANGE_DAYS), { to: EARLIEST_DATE }, { from: today }, { to: addDays(today, 1) }])(
    'scores: %o is accepted',
    (query) => expect(paths(scores.safeParse(query))).toEqual([]),
  );

  it.each([
    [{ from: '9999-12-31', to: '9999-12-31' }, ['from', 'to']],
    [{ to: '0000-01-05' }, ['to']],
    [{ from: '1999-12-31' }, ['from']],
    [{ from: '2026-11-10', to: '2026-11-01' }, ['from']],
  ])('listing: %o is refused at %o', (query, expected) => {
    expect(paths(listing.safeParse(query))).toEqual(expected);
  });

  it.each([{}, { from: EARLIEST_DATE }, { from: EARLIEST_DATE, to: addDays(today, 1) }])('listing: %o is accepted', (query) =>
    expect(paths(listing.safeParse(query))).toEqual([]),
  );
});
