import { describe, expect, it } from 'vitest';
import { Cron } from 'croner';
import { parseConfig } from '../../lib/config.ts';
import { startScheduler, toLocalCron, yearIn } from '../../lib/local/scheduler.ts';

describe('toLocalCron', () => {
  it.each([
    ['cron(0 9 * * ? *)', '0 9 * * *'],
    ['cron(30 8 ? * MON-FRI *)', '30 8 * * MON-FRI'],
    ['cron(0 10 ? * 2 *)', '0 10 * * 1'], // EventBridge 2 = Monday = croner 1
    ['cron(0 10 ? * 1,7 *)', '0 10 * * 0,6'],
    ['cron(0 10 ? * 2-6 *)', '0 10 * * 1-5'],
    ['cron(0 10 ? * 6#3 *)', '0 10 * * 5#3'],
    ['cron(15 12 L * ? *)', '15 12 L * *'],
    ['cron(0/15 * * * ? *)', '0/15 * * * *'],
  ])('%s → %s', (expression, pattern) => {
    expect(toLocalCron(expression).pattern).toBe(pattern);
  });

  it('keeps the year field as a filter', () => {
    const cron = toLocalCron('cron(0 9 * * ? 2026-2027)');
    expect([2025, 2026, 2027, 2028].map((year) => cron.matchesYear(year))).toEqual([false, true, true, false]);
    expect(toLocalCron('cron(0 9 * * ? *)').matchesYear(1999)).toBe(true);
  });

  it('fires when EventBridge would, in the configured time zone', () => {
    const next = new Cron(toLocalCron('cron(0 9 ? * 2 *)').pattern, { timezone: 'Europe/Istanbul' }).nextRun(
      new Date('2026-11-24T00:00:00Z'),
    );
    expect(next?.toISOString()).toBe('2026-11-30T06:00:00.000Z'); // Monday 09:00 in Istanbul (UTC+3)
  });

  it("reads the year in the configured time zone, not the host's", () => {
    const newYearInTokyo = new Date('2026-12-31T15:30:00Z'); // 00:30 on 1 January 2027 in Tokyo, still 2026 in UTC and New York
    expect(yearIn(newYearInTokyo, 'Asia/Tokyo')).toBe(2027);
    expect(yearIn(newYearInTokyo, 'UTC')).toBe(2026);
    expect(yearIn(newYearInTokyo, 'America/New_York')).toBe(2026);
  });

  it('rejects what is not an EventBridge cron', () => {
    expect(() => toLocalCron('0 9 * * *')).toThrow(/EventBridge cron/);
  });
});

describe('the local scheduler', () => {
  it('runs the manifest schedules: each campaign from the config, the resume sweep every 5 minutes', () => {
    const scheduler = startScheduler({ config: parseConfig({}) });
    try {
      const ids = scheduler.jobs.map((job) => job.id);
      expect(ids).toEqual(expect.arrayContaining(['promoter-thanks', 'birthday', 'resume-paused-runs']));
      const sweep = scheduler.jobs.find((job) => job.id === 'resume-paused-runs')!;
      const next = sweep.next()!.getTime();
      expect(next - Date.now()).toBeLessThanOrEqual(5 * 60_000);
      expect(new Date(next).getUTCMinutes() % 5).toBe(0);
    } finally {
      scheduler.stop();
    }
  });
});
