import { describe, expect, it } from 'vitest';
import {
  CADENCE_POSITIONS,
  cadenceDay,
  cadencePosition,
  cadenceRanges,
  cadenceSendAt,
  cycleDayOf,
  cycleStart,
  inviteProblem,
  isSampled,
  throttleBounds,
  windowOpening,
} from '../../functions/core/invitations/rules.ts';
import { inviteSettings } from '../../functions/core/invitations/settings.ts';
import * as z from 'zod/mini';

const DAY = 86_400_000;
const at = (iso: string) => Date.parse(iso);

describe('sampling', () => {
  it('is decided by the event id: the same event always decides the same, and the share is close to the rate', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `ord-${i}`);
    const chosen = ids.filter((id) => isSampled('nps', id, 0.3));
    expect(chosen.length).toBeGreaterThan(2_800);
    expect(chosen.length).toBeLessThan(3_200);
    expect(ids.filter((id) => isSampled('nps', id, 0.3))).toEqual(chosen);
    expect(ids.every((id) => isSampled('nps', id, 1))).toBe(true);
    expect(ids.some((id) => isSampled('nps', id, 0))).toBe(false);
  });
});

describe('cadence', () => {
  it('gives each customer a fixed day of the cycle, spread evenly over it', () => {
    const days = new Array<number>(90).fill(0);
    for (let i = 0; i < 90_000; i++) days[cadenceDay('rel', `c-${i}`, 90)]!++;
    expect(Math.min(...days)).toBeGreaterThan(800);
    expect(Math.max(...days)).toBeLessThan(1_200);
    expect(cadenceDay('rel', 'c-1', 90)).toBe(cadenceDay('rel', 'c-1', 90));
  });

  it('spreads a long cycle evenly too (no day gets twice its share)', () => {
    const days = new Array<number>(730).fill(0);
    for (let i = 0; i < 146_000; i++) days[cadenceDay('rel', `c-${i}`, 730)]!++;
    // 200 a day on average; a binomial's spread, not the 1-or-2 buckets a 1024-bucket rule would give.
    expect(Math.min(...days)).toBeGreaterThan(140);
    expect(Math.max(...days)).toBeLessThan(260);
  });

  it('turns the days per survey: two relationship surveys rarely ask a customer on the same day', () => {
    const ids = Array.from({ length: 1_000 }, (_, i) => `c-${i}`);
    const same = ids.filter((id) => cadenceDay('rel', id, 90) === cadenceDay('product', id, 90)).length;
    expect(same).toBeLessThan(40);
  });

  it.each([7, 90, 365, 730])(
    'names each day of a %i-day cycle by ranges of positions that hold exactly its customers',
    (everyDays) => {
      const ids = Array.from({ length: 3_000 }, (_, i) => `cust-${i}`);
      for (const surveyId of ['rel', 'nps-quarterly']) {
        const ranges = Array.from({ length: everyDays }, (_, day) => cadenceRanges(surveyId, everyDays, day));
        // The ranges of all days tile the positions: no gaps, no overlaps.
        const flat = ranges.flat().sort((a, b) => a[0] - b[0]);
        expect(flat[0]![0]).toBe(0);
        expect(flat.at(-1)![1]).toBe(CADENCE_POSITIONS - 1);
        for (let i = 1; i < flat.length; i++) expect(flat[i]![0]).toBe(flat[i - 1]![1] + 1);
        for (const id of ids) {
          const position = cadencePosition(id);
          const day = cadenceDay(surveyId, id, everyDays);
          expect(ranges[day]!.some(([from, to]) => position >= from && position <= to)).toBe(true);
        }
      }
    },
  );

  it('puts the invitation in the cycle that holds now, once per cycle', () => {
    const now = at('2026-11-28T10:00:00Z');
    const start = cycleStart(now, 90);
    const sendAt = cadenceSendAt('rel', 'c-1', 90, now);
    expect(sendAt).toBeGreaterThanOrEqual(start);
    expect(sendAt).toBeLessThan(start + 90 * DAY);
    expect(cadenceSendAt('rel', 'c-1', 90, now + 90 * DAY)).toBe(sendAt + 90 * DAY);
    expect(cycleDayOf(now, 90)).toBe((now - start - (now % DAY)) / DAY);
  });
});

describe('send window', () => {
  const window = { from: '09:00', to: '20:00' };

  it('lets an instant inside the window through', () => {
    // 10:00 UTC is 19:00 in Tokyo.
    expect(windowOpening(at('2026-11-28T10:00:00Z'), 'Asia/Tokyo', window)).toBe(at('2026-11-28T10:00:00Z'));
  });

  it('holds one at night until the morning, in the customer’s zone', () => {
    // 12:00 UTC is 21:00 in Tokyo: the next 09:00 there is 00:00 UTC the next day.
    expect(windowOpening(at('2026-11-28T12:00:00Z'), 'Asia/Tokyo', window)).toBe(at('2026-11-29T00:00:00Z'));
    // 12:00 UTC is 04:00 in Los Angeles (PST): 09:00 there is 17:00 UTC.
    expect(windowOpening(at('2026-11-28T12:00:30Z'), 'America/Los_Angeles', window)).toBe(at('2026-11-28T17:00:00Z'));
  });

  it('handles a window across midnight', () => {
    const night = { from: '22:00', to: '02:00' };
    expect(windowOpening(at('2026-11-28T23:30:00Z'), 'UTC', night)).toBe(at('2026-11-28T23:30:00Z'));
    expect(windowOpening(at('2026-11-28T01:59:00Z'), 'UTC', night)).toBe(at('2026-11-28T01:59:00Z'));
    expect(windowOpening(at('2026-11-28T03:00:00Z'), 'UTC', night)).toBe(at('2026-11-28T22:00:00Z'));
  });
});

describe('contact rules', () => {
  const limits = { throttleDays: 30, recontactDays: 90 };
  const sendAt = at('2026-11-28T10:00:00Z');
  const customer = { unsubscribed: false };

  it.each([
    [{}, 'unknownCustomer'],
    [{ customer: { unsubscribed: true } }, 'unsubscribed'],
    [{ customer: { unsubscribed: false, suppressed: true } }, 'suppressed'],
    [{ customer, openInvitationId: 'inv-1' }, 'alreadyInvited'],
    [{ customer, lastAnsweredAt: '2026-10-01T00:00:00Z' }, 'recontact'],
    [{ customer, lastInvitedAt: '2026-11-10T00:00:00Z' }, 'throttled'],
    [{ customer, lastInvitedAt: '2026-12-10T00:00:00Z' }, 'throttled'],
    [{ customer, lastInvitedAt: '2026-10-20T00:00:00Z', lastAnsweredAt: '2026-08-01T00:00:00Z' }, null],
  ] as const)('%j → %s', (facts, reason) => {
    expect(inviteProblem(facts, limits, sendAt)).toBe(reason);
  });

  it('turns the throttle off at 0 days', () => {
    expect(inviteProblem({ customer, lastInvitedAt: '2026-11-28T09:00:00Z' }, { ...limits, throttleDays: 0 }, sendAt)).toBe(null);
  });

  it('states the atomic throttle as the bounds another invitation must lie outside', () => {
    expect(throttleBounds(sendAt, 30)).toEqual({ notAfter: '2026-10-29T10:00:00.000Z', notBefore: '2026-12-28T10:00:00.000Z' });
  });
});

describe('invite settings', () => {
  it('fills the defaults', () => {
    expect(z.parse(inviteSettings, {})).toEqual({
      on: [],
      delayHours: 0,
      sampleRate: 1,
      everyDays: 0,
      remindAfterDays: 0,
      expiresInDays: 14,
    });
  });

  it('takes every value in the ranges, a reminder later than the default link life included', () => {
    expect(z.parse(inviteSettings, { remindAfterDays: 30, delayHours: 0.5, sampleRate: 0.001 })).toMatchObject({
      remindAfterDays: 30,
      expiresInDays: 14,
    });
  });

  it.each([
    [{ everyDays: 3 }, 'everyDays'],
    [{ sampleRate: 1.5 }, 'sampleRate'],
    [{ delayHours: 721 }, 'delayHours'],
    [{ on: ['Purchase'] }, 'on.0'],
    [{ on: Array.from({ length: 11 }, (_, i) => `t${i}`) }, 'on'],
    [{ remindAfterDays: 31 }, 'remindAfterDays'],
    [{ delayHours: 1e-200 }, 'delayHours'], // DynamoDB cannot store it: a 400, not a 500 at the write
    [{ sampleRate: 5e-324 }, 'sampleRate'],
    [{ surprise: true }, ''],
  ])('refuses %j at %s', (settings, path) => {
    const result = z.safeParse(inviteSettings, settings);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });
});
