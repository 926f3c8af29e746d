/** Calendar dates (`YYYY-MM-DD`, UTC) and the instants runs stand for. */

const DAY_MS = 86_400_000;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date `YYYY-MM-DD` (any four-digit year: parsed as ISO, so years 0–99 are not taken for 1900s). */
export function isIsoDate(value: string): boolean {
  if (!DATE.test(value)) return false;
  const ms = Date.parse(`${value}T00:00:00Z`);
  return !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === value;
}

export const addDays = (date: string, days: number): string =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);

/** Whole days from `a` to `b`. */
export const daysBetween = (a: string, b: string): number =>
  Math.round((Date.parse(`${b}T00:00:00Z`) - Date.parse(`${a}T00:00:00Z`)) / DAY_MS);

/** Time zones whose formatters are kept; they come from stored customers and the config, so this is a guard only. */
const KEPT_ZONES = 500;

/**
 * One formatter per time zone, built once: building one costs ≈ 35 times using it (≈ 0.15 ms against ≈ 4 µs), and a
 * dispatch asks for one per invitation. An invalid zone throws, as building it does.
 */
function perZone(make: (timeZone: string) => Intl.DateTimeFormat): (timeZone: string) => Intl.DateTimeFormat {
  const kept = new Map<string, Intl.DateTimeFormat>();
  return (timeZone) => {
    let formatter = kept.get(timeZone);
    if (!formatter) {
      if (kept.size >= KEPT_ZONES) kept.clear();
      kept.set(timeZone, (formatter = make(timeZone)));
    }
    return formatter;
  };
}

// en-CA formats as YYYY-MM-DD.
const dateFormat = perZone(
  (timeZone) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }),
);
const clockFormat = perZone(
  (timeZone) => new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }),
);

/** Whether Intl knows the IANA time zone (a name or an alias, in any case). */
export function isTimeZone(timeZone: string): boolean {
  try {
    dateFormat(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The calendar date at an instant in an IANA time zone. */
export const localDate = (instantMs: number, timeZone: string): string => dateFormat(timeZone).format(instantMs);

/** Minutes after local midnight at an instant in an IANA time zone. */
export function localMinutes(instantMs: number, timeZone: string): number {
  let minutes = 0;
  for (const part of clockFormat(timeZone).formatToParts(instantMs)) {
    if (part.type === 'hour') minutes += Number(part.value) * 60;
    else if (part.type === 'minute') minutes += Number(part.value);
  }
  return minutes;
}

export const isLeapYear = (year: number) => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;

/**
 * The moment a run for `runDate` stands for: now, moved by whole days to that date. A run for today is now; a run
 * for another date sees the world as the same schedule would have on that day (birthdays by local date).
 */
export function runInstant(runDate: string, nowMs: number, timeZone: string): number {
  return nowMs + daysBetween(localDate(nowMs, timeZone), runDate) * DAY_MS;
}
