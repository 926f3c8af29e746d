/**
 * EventBridge Scheduler's rules for a cron expression and a time zone, checked before anything deploys: the config,
 * the CDK stack and the local scheduler all read schedules through here, so what runs locally also deploys.
 * Rules: https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html#cron-based
 */

interface FieldRule {
  name: string;
  min: number;
  max: number;
  /** Names allowed for values (months, weekdays), mapped to numbers. */
  names?: readonly string[];
  /** Special characters beyond `, - * /`. */
  special?: RegExp;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const WEEKDAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

const FIELDS: readonly FieldRule[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: WEEKDAYS, special: /^(\?|L|[1-7]L|[A-Z]{3}L|([1-7]|[A-Z]{3})#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199 },
];

function valueOf(token: string, rule: FieldRule): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const index = rule.names?.indexOf(token.toUpperCase());
  return index !== undefined && index >= 0 ? index + 1 : undefined;
}

function checkField(field: string, rule: FieldRule): string | undefined {
  if (rule.special?.test(field.toUpperCase())) {
    const named = /^([A-Z]{3})/.exec(field.toUpperCase())?.[1];
    if (named && valueOf(named, rule) === undefined) return `${rule.name}: "${named}" is not a name EventBridge knows.`;
    return undefined;
  }
  for (const part of field.split(',')) {
    const [range, step, extra] = part.split('/');
    if (extra !== undefined || range === undefined || range === '')
      return `${rule.name}: "${part}" is not a value, range or step.`;
    if (step !== undefined && !/^[1-9]\d*$/.test(step)) return `${rule.name}: the step in "${part}" must be a positive number.`;
    if (range === '*') continue;
    const ends = range.split('-');
    if (ends.length > 2) return `${rule.name}: "${part}" is not a range.`;
    for (const end of ends) {
      const value = valueOf(end, rule);
      if (value === undefined || value < rule.min || value > rule.max) {
        return `${rule.name}: "${end}" is outside ${rule.min}–${rule.max}${rule.names ? ` (or ${rule.names[0]}–${rule.names.at(-1)})` : ''}.`;
      }
    }
  }
  return undefined;
}

/** Why a cron expression would fail to deploy to EventBridge Scheduler, or undefined when it is valid. */
export function cronProblem(expression: string): string | undefined {
  const fields = /^cron\((.*)\)$/.exec(expression.trim())?.[1]?.trim().split(/\s+/);
  if (!fields || fields.length !== 6)
    return 'Use "cron(minutes hours day-of-month month day-of-week year)", e.g. "cron(0 9 * * ? *)".';
  for (const [i, rule] of FIELDS.entries()) {
    const problem = checkField(fields[i]!, rule);
    if (problem) return problem;
  }
  const [, , dayOfMonth, , dayOfWeek] = fields as [string, string, string, string, string, string];
  // EventBridge needs exactly one of the two day fields to be "?" (e.g. "0 9 * * ? *" or "0 9 ? * MON *").
  if ((dayOfMonth === '?') === (dayOfWeek === '?')) {
    return 'Put "?" in exactly one of day-of-month and day-of-week, e.g. "cron(0 9 * * ? *)" or "cron(0 9 ? * MON-FRI *)".';
  }
  return undefined;
}

/** Why a time zone is not an IANA name EventBridge Scheduler accepts, or undefined when it is one. */
export function timeZoneProblem(timeZone: string): string | undefined {
  if (/^[+-]/.test(timeZone)) return `"${timeZone}" is an offset, not an IANA time zone: use a name such as "Europe/Istanbul".`;
  let resolved: string;
  try {
    resolved = new Intl.DateTimeFormat('en-US', { timeZone }).resolvedOptions().timeZone;
  } catch {
    return `"${timeZone}" is not an IANA time zone: use a name such as "Europe/Istanbul" or "UTC".`;
  }
  // Intl reads names case-insensitively; EventBridge does not.
  if (resolved !== timeZone && resolved.toLowerCase() === timeZone.toLowerCase()) return `Spell it "${resolved}".`;
  return undefined;
}
