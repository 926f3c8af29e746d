import type { Context } from 'aws-lambda';
import { Cron } from 'croner';
import type { FeedbackConfig } from '../config.ts';
import { cronProblem } from '../schedule-expression.ts';
import { FUNCTIONS, type FunctionSpec } from '../manifest.ts';
import { lambdaContext, loadHandler } from './lambda-runtime.ts';

/** A croner pattern, and the years EventBridge's sixth field allows (croner has no year field). */
export interface LocalCron {
  pattern: string;
  matchesYear(year: number): boolean;
}

const decrement = (digits: string) => String(Number(digits) - 1);

/**
 * Translates an EventBridge Scheduler cron, `cron(min hour day-of-month month day-of-week year)`, into croner's
 * five fields. `?` means "any" (croner reads it as "the time of start", so it becomes `*`); day-of-week numbers
 * run 1–7 from Sunday in EventBridge and 0–6 in croner (names, `L` and `#` carry over).
 */
export function toLocalCron(expression: string): LocalCron {
  const problem = cronProblem(expression);
  if (problem) throw new Error(`Not an EventBridge cron expression: ${expression}: ${problem}`);
  const fields = /^cron\((.+)\)$/.exec(expression.trim())![1]!.trim().split(/\s+/);
  const [minute, hour, dayOfMonth, month, dayOfWeek, year] = fields.map((f) => (f === '?' ? '*' : f)) as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const weekday = dayOfWeek
    .split(',')
    .map((part) => part.replace(/^(\d)/, decrement).replace(/-(\d)/, (_, d: string) => `-${decrement(d)}`))
    .join(',');
  return { pattern: `${minute} ${hour} ${dayOfMonth} ${month} ${weekday}`, matchesYear: yearMatcher(year) };
}

function yearMatcher(field: string): (year: number) => boolean {
  if (field === '*') return () => true;
  const parts = field.split(',').map((part) => {
    const [range, step = '1'] = part.split('/') as [string, string?];
    const [from, to = range.includes('-') ? undefined : from] = range.split('-').map(Number) as [number, number?];
    return { from, to: to ?? 9999, step: Number(step) };
  });
  return (year) => parts.some((p) => year >= p.from && year <= p.to && (year - p.from) % p.step === 0);
}

/** The calendar year at an instant in an IANA time zone (the year field of a schedule is read there, as EventBridge does). */
export const yearIn = (instant: Date, timeZone: string): number =>
  Number(new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric' }).format(instant));

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/**
 * The manifest's schedules on this machine: the same cron (from the config, in its time zone) calling the same
 * handler with the same input as EventBridge Scheduler would.
 */
export function startScheduler(options: {
  config: FeedbackConfig;
  functions?: readonly FunctionSpec[];
  log?: (line: string) => void;
}): { stop(): void; jobs: ReadonlyArray<{ id: string; next: () => Date | null }> } {
  const log = options.log ?? (() => undefined);
  const crons: Cron[] = [];
  const jobs: Array<{ id: string; next: () => Date | null }> = [];
  for (const fn of options.functions ?? FUNCTIONS) {
    for (const schedule of fn.schedules ?? []) {
      const expression = schedule.cron ?? (options.config.schedules as Record<string, string | undefined>)[schedule.id];
      if (!expression) continue;
      const cron = toLocalCron(expression);
      const job = new Cron(
        cron.pattern,
        { timezone: options.config.timeZone, name: `${fn.name}:${schedule.id}`, protect: true },
        async () => {
          if (!cron.matchesYear(yearIn(new Date(), options.config.timeZone))) return;
          log(`schedule ${schedule.id}: invoking ${fn.name}`);
          try {
            const handler = await loadHandler<Handler>(fn);
            const result = await handler(schedule.input, lambdaContext(fn));
            log(`schedule ${schedule.id}: ${JSON.stringify(result)}`);
          } catch (error) {
            log(`schedule ${schedule.id} failed: ${error instanceof Error ? error.message : String(error)}`);
          }
        },
      );
      crons.push(job);
      jobs.push({ id: schedule.id, next: () => job.nextRun() });
      log(
        `schedule ${schedule.id}: ${expression} in ${options.config.timeZone}, next at ${job.nextRun()?.toISOString() ?? 'never'}`,
      );
    }
  }
  return { stop: () => crons.forEach((c) => c.stop()), jobs };
}
