import { describe, expect, it } from 'vitest';
import {
  birthdayCelebratedAt,
  birthdaysOn,
  CAMPAIGN_IDS,
  claimWindows,
  decide,
  isLapsed,
  localDate,
  runInstant,
  selectionQueries,
  type Eligibility,
} from '../../functions/core/campaigns.ts';
import { CAMPAIGN_IDS as CONFIG_CAMPAIGN_IDS } from '../../lib/config.ts';

const base: Eligibility = {
  customer: { unsubscribed: false },
  campaignId: 'promoter-thanks',
  runDate: '2026-11-24',
  runId: 'run-1',
  frequencyCapDays: 7,
};

describe('decide', () => {
  it.each([
    ['a fresh customer', {}, { kind: 'send' }],
    ['unsubscribed', { customer: { unsubscribed: true } }, { kind: 'skip', reason: 'unsubscribed' }],
    ['suppressed', { customer: { unsubscribed: false, suppressed: true } }, { kind: 'skip', reason: 'suppressed' }],
    ['unsubscribed and suppressed: unsubscribed counts', { customer: { unsubscribed: true, suppressed: true } }, { kind: 'skip', reason: 'unsubscribed' }],
    ['ledger sent by another run', { ledger: { status: 'sent', runId: 'run-0' } }, { kind: 'skip', reason: 'alreadySent' }],
    ['ledger claimed (crash between claim and send): never again', { ledger: { status: 'claimed', runId: 'run-0' } }, { kind: 'skip', reason: 'alreadySent' }],
    ['ledger failed by another run: never retried', { ledger: { status: 'failed', runId: 'run-0' } }, { kind: 'skip', reason: 'alreadySent' }],
    ['ledger sent by this run (page read again)', { ledger: { status: 'sent', runId: 'run-1' } }, { kind: 'sentByThisRun' }],
    ['ledger claimed by this run (page read again after an error): counted as sent', { ledger: { status: 'claimed', runId: 'run-1' } }, { kind: 'sentByThisRun' }],
    ['ledger failed by this run (page read again): failed once more, not alreadySent', { ledger: { status: 'failed', runId: 'run-1' } }, { kind: 'failedByThisRun' }],
    ['ledger deferred by SES quota', { ledger: { status: 'deferred', runId: 'run-0' } }, { kind: 'resume' }],
    ['same campaign today', { state: { lastSentOn: '2026-11-24', lastOn: { 'promoter-thanks': '2026-11-24' } } }, { kind: 'skip', reason: 'alreadySent' }],
    ['another campaign 6 days ago', { state: { lastSentOn: '2026-11-18', lastOn: { birthday: '2026-11-18' } } }, { kind: 'skip', reason: 'frequencyCap' }],
    ['another campaign 7 days ago', { state: { lastSentOn: '2026-11-17', lastOn: { birthday: '2026-11-17' } } }, { kind: 'send' }],
    ['cap 0: yesterday is fine', { frequencyCapDays: 0, state: { lastSentOn: '2026-11-23', lastOn: { birthday: '2026-11-23' } } }, { kind: 'send' }],
    ['win-back 179 days ago', { campaignId: 'win-back', frequencyCapDays: 0, state: { lastSentOn: '2026-05-29', lastOn: { 'win-back': '2026-05-29' } } }, { kind: 'skip', reason: 'alreadySent' }],
    ['win-back 180 days ago', { campaignId: 'win-back', frequencyCapDays: 0, state: { lastSentOn: '2026-05-28', lastOn: { 'win-back': '2026-05-28' } } }, { kind: 'send' }],
    ['a later date already mailed (backfill): the safe side', { state: { lastSentOn: '2026-11-30', lastOn: { 'promoter-thanks': '2026-11-30' } } }, { kind: 'skip', reason: 'alreadySent' }],
  ] as const)('%s', (_, overrides, expected) => {
    expect(decide({ ...base, ...(overrides as Partial<Eligibility>) })).toEqual(expected);
  });
});

describe('claimWindows', () => {
  it.each([
    ['promoter-thanks', 7, { periodCutoff: '2026-11-23', capCutoff: '2026-11-17' }],
    ['win-back', 7, { periodCutoff: '2026-05-28', capCutoff: '2026-11-17' }],
    ['birthday', 0, { periodCutoff: '2026-11-23', capCutoff: undefined }],
  ] as const)('%s with a %i-day cap', (campaignId, cap, expected) => {
    expect(claimWindows(campaignId, '2026-11-24', cap)).toEqual(expected);
  });
});

describe('selectionQueries', () => {
  it.each([
    ['promoter-thanks', '2026-03-01', [{ index: 'npsDay', day: '2026-02-28', npsClass: 'promoter' }]],
    ['detractor-followup', '2026-01-01', [{ index: 'npsDay', day: '2025-12-31', npsClass: 'detractor' }]],
    ['win-back', '2026-11-24', [{ index: 'lastResponse', before: '2026-08-26T00:00:00.000Z' }]],
    ['birthday', '2026-11-24', ['11-23', '11-24', '11-25'].map((monthDay) => ({ index: 'birthday', monthDay }))],
    ['birthday', '2027-03-01', ['02-28', '02-29', '03-01', '03-02'].map((monthDay) => ({ index: 'birthday', monthDay }))],
  ] as const)('%s on %s', (campaignId, date, expected) => {
    expect(selectionQueries(campaignId, date, { winBackDays: 90 })).toEqual(expected);
  });
});

describe('birthdays', () => {
  it.each([
    ['2026-05-17', ['05-17']],
    ['2027-02-28', ['02-28', '02-29']],
    ['2028-02-28', ['02-28']],
    ['2028-02-29', ['02-29']],
    ['2100-02-28', ['02-28', '02-29']],
  ])('on %s the birthdays %j are celebrated', (day, expected) => {
    expect(birthdaysOn(day)).toEqual(expected);
  });

  const at = Date.parse('2026-05-17T08:00:00Z');
  it.each([
    ['05-17', 'UTC', '2026-05-17'],
    ['1990-05-17', 'Europe/Istanbul', '2026-05-17'],
    ['05-17', 'Pacific/Kiritimati', '2026-05-17'], // UTC+14: 22:00 on the 17th
    ['05-16', 'America/Los_Angeles', undefined], // 01:00 on the 17th there: not the 16th any more
    ['05-17', 'America/Los_Angeles', '2026-05-17'],
    ['05-16', 'Pacific/Pago_Pago', '2026-05-16'], // UTC-11: still the 16th
    ['05-18', 'UTC', undefined],
  ])('birthday %s in %s at 08:00 UTC on 2026-05-17 → %s', (birthday, tz, expected) => {
    expect(birthdayCelebratedAt(birthday, at, tz)).toBe(expected);
  });

  it('a customer east of the schedule is greeted on their own day, as the run before midnight UTC sees it', () => {
    expect(birthdayCelebratedAt('05-18', Date.parse('2026-05-17T12:00:00Z'), 'Pacific/Kiritimati')).toBe('2026-05-18');
    expect(birthdayCelebratedAt('05-18', Date.parse('2026-05-18T12:00:00Z'), 'Pacific/Kiritimati')).toBeUndefined();
  });

  it('02-29 is celebrated on 02-28 in common years', () => {
    expect(birthdayCelebratedAt('02-29', Date.parse('2027-02-28T12:00:00Z'), 'UTC')).toBe('2027-02-28');
    expect(birthdayCelebratedAt('02-29', Date.parse('2027-03-01T12:00:00Z'), 'UTC')).toBeUndefined();
  });
});

describe('dates and windows', () => {
  it('a run for another date stands for the same time of day on that date', () => {
    const now = Date.parse('2026-11-24T09:30:00Z');
    expect(new Date(runInstant('2026-11-20', now, 'UTC')).toISOString()).toBe('2026-11-20T09:30:00.000Z');
    expect(runInstant('2026-11-24', now, 'UTC')).toBe(now);
    expect(localDate(Date.parse('2026-11-24T22:30:00Z'), 'Europe/Istanbul')).toBe('2026-11-25');
  });

  it.each([
    [undefined, false],
    ['2026-08-25T23:59:59.999Z', true],
    ['2026-08-26T00:00:00.000Z', false],
  ])('latest response %s lapsed before the cutoff: %s', (latest, expected) => {
    expect(isLapsed(latest, '2026-08-26T00:00:00.000Z')).toBe(expected);
  });

  it('names the same campaigns as the config', () => {
    expect([...CAMPAIGN_IDS]).toEqual([...CONFIG_CAMPAIGN_IDS]);
  });
});
