import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lib/config.ts';
import { toLocalCron } from '../../lib/local/scheduler.ts';
import { cronProblem, timeZoneProblem } from '../../lib/schedule-expression.ts';

describe('cronProblem: EventBridge Scheduler’s rules', () => {
  it.each([
    'cron(0 9 * * ? *)',
    'cron(30 8 ? * MON-FRI *)',
    'cron(0 10 ? * 2 *)',
    'cron(0 10 ? * 1,7 *)',
    'cron(0 10 ? * 6#3 *)',
    'cron(0 10 ? * FRI#1 *)',
    'cron(0 10 ? * 6L *)',
    'cron(15 12 L * ? *)',
    'cron(0 8 LW * ? *)',
    'cron(0 8 15W * ? *)',
    'cron(0/15 * * * ? *)',
    'cron(0 9 1 JAN-MAR ? 2026-2030)',
    'cron(0 0-23/2 ? * * *)',
  ])('accepts %s', (expression) => {
    expect(cronProblem(expression)).toBeUndefined();
  });

  it.each([
    ['cron(0 9 * * * *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 9 ? * ? *)', /exactly one of day-of-month and day-of-week/],
    ['cron(0 9 * * MON *)', /exactly one/],
    ['cron(60 9 * * ? *)', /minutes: "60" is outside 0–59/],
    ['cron(0 24 * * ? *)', /hours: "24"/],
    ['cron(0 9 32 * ? *)', /day-of-month: "32"/],
    ['cron(0 9 0 * ? *)', /day-of-month: "0"/],
    ['cron(0 9 * 13 ? *)', /month: "13"/],
    ['cron(0 9 ? * 8 *)', /day-of-week: "8"/],
    ['cron(0 9 ? * FUN *)', /day-of-week/],
    ['cron(0 9 * * ? 1969)', /year: "1969"/],
    ['cron(0 9 * * ? 2200)', /year/],
    ['cron(0/0 9 * * ? *)', /step/],
    ['cron(0 9 * * ?)', /Use "cron\(minutes hours/],
    ['0 9 * * ? *', /Use "cron/],
    ['rate(5 minutes)', /Use "cron/],
    ['cron(a 9 * * ? *)', /minutes/],
    ['cron(1-2-3 9 * * ? *)', /not a range/],
  ])('refuses %s', (expression, message) => {
    expect(cronProblem(expression)).toMatch(message);
  });
});

describe('timeZoneProblem', () => {
  it.each(['UTC', 'Europe/Istanbul', 'Asia/Tokyo', 'America/Los_Angeles', 'Etc/GMT+3'])('accepts %s', (zone) => {
    expect(timeZoneProblem(zone)).toBeUndefined();
  });

  it.each([
    ['Mars/Olympus', /not an IANA time zone/],
    ['', /not an IANA time zone/],
    ['+03:00', /offset/],
    ['europe/istanbul', /Spell it "Europe\/Istanbul"/],
  ])('refuses %j', (zone, message) => {
    expect(timeZoneProblem(zone)).toMatch(message);
  });
});

describe('one validator for the config and the local scheduler', () => {
  it('refuses at config time what CloudFormation would refuse at deploy time', () => {
    expect(() => parseConfig({ schedules: { birthday: 'cron(0 9 * * * *)' } })).toThrow(
      /feedback\.schedules\.birthday: Put "\?"/,
    );
    expect(() => parseConfig({ timeZone: 'Europe/Nowhere' })).toThrow(
      /feedback\.timeZone: "Europe\/Nowhere" is not an IANA time zone/,
    );
  });

  it('refuses locally what would not deploy', () => {
    expect(() => toLocalCron('cron(0 9 * * * *)')).toThrow(/exactly one of day-of-month and day-of-week/);
  });
});
