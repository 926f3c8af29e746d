import { addDays, daysBetween, isIsoDate } from './dates.ts';
import type { Issue } from './errors.ts';

/**
 * The dates the service deals in: responses are accepted, listed and scored from EARLIEST_DATE on, so anything
 * accepted can be listed, and a date range is bounded before any work is done for it.
 */
export const EARLIEST_DATE = '2000-01-01';

/** The longest range one scores request may span, in days, both ends included (ten years of days is 3,653 periods). */
export const MAX_RANGE_DAYS = 3660;

/**
 * The last date a request may name: a year ahead (UTC), so a period still running (this month, quarter or year) can be
 * asked for whole, and a caller whose calendar is a day ahead still gets today; its days to come are empty.
 */
export const latestDate = (today: string) => addDays(today, 366);

export interface DateRange {
  from: string;
  to: string;
}

/** Why a date a request names cannot be used, or undefined: a real `YYYY-MM-DD` from EARLIEST_DATE to latestDate. */
export function dateProblem(value: string, today: string): string | undefined {
  if (!isIsoDate(value)) return 'Use a real date as YYYY-MM-DD.';
  const latest = latestDate(today);
  if (value < EARLIEST_DATE || value > latest) return `Use a date from ${EARLIEST_DATE} to ${latest} (UTC).`;
  return undefined;
}

/** The issues of the ends a request gives (either may be absent), each at its own name. */
export function dateIssues(range: Partial<DateRange>, today: string): Issue[] {
  const issues: Issue[] = [];
  for (const path of ['from', 'to'] as const) {
    const value = range[path];
    const message = value === undefined ? undefined : dateProblem(value, today);
    if (message) issues.push({ path, message });
  }
  return issues;
}

/** Days in a range, both ends included. */
export const rangeDays = ({ from, to }: DateRange) => daysBetween(from, to) + 1;

/**
 * The issues of a range whose ends are valid dates: `from` after `to`, or (with `maxDays`) more days than that.
 * A listing needs no span limit (it reads a page whatever the span); scores build a period per day, so they do.
 */
export function spanIssues(range: DateRange, maxDays?: number): Issue[] {
  if (range.from > range.to) return [{ path: 'from', message: '"from" must not be after "to".' }];
  if (maxDays !== undefined && !(rangeDays(range) <= maxDays)) {
    return [{ path: 'to', message: `A range spans at most ${maxDays} days (from and to included).` }];
  }
  return [];
}

/**
 * For code that walks a range day by day: throws unless both ends are real dates from EARLIEST_DATE on, in order,
 * at most MAX_RANGE_DAYS apart. Requests are checked before they get here; this keeps a future caller from looping.
 */
export function assertWalkable(range: DateRange): number {
  const ok =
    isIsoDate(range.from) &&
    isIsoDate(range.to) &&
    range.from >= EARLIEST_DATE &&
    range.from <= range.to &&
    rangeDays(range) <= MAX_RANGE_DAYS;
  if (!ok) throw new RangeError(`Not a range to walk day by day: ${JSON.stringify(range)} (at most ${MAX_RANGE_DAYS} days).`);
  return rangeDays(range);
}
