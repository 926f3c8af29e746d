/**
 * Days (UTC) for tests that run at any hour, across 00:00 UTC too: the server stamps "now" and checks dates against
 * its own today, so a test that reads the clock at another moment may see another day.
 */

/** The date (UTC, YYYY-MM-DD) of an instant, now by default. */
export const utcDay = (ms = Date.now()): string => new Date(ms).toISOString().slice(0, 10);

/**
 * Runs `check` as of today (UTC). If it fails and the day changed while it ran, it runs once more, as of the new
 * day: for a check at the edge of a range that ends on the server's today, which may be read on the other side of
 * midnight from the test's. A failure on one day is a failure.
 */
export async function asOfToday<T>(check: (today: string) => Promise<T>): Promise<T> {
  const today = utcDay();
  try {
    return await check(today);
  } catch (error) {
    if (utcDay() === today) throw error;
    return check(utcDay());
  }
}
