/**
 * The dates the service deals in: responses are accepted, listed and scored from EARLIEST_DATE on, so anything
 * accepted can be listed, and a date range is bounded before any work is done for it.
 */
export const EARLIEST_DATE = '2000-01-01';

/** The longest range one scores or listing request may span, in days (ten years of days is 3,653 periods). */
export const MAX_RANGE_DAYS = 3660;
