import { describe, expect, it } from 'vitest';
import { birthdayCelebratedAt, birthdaysOn } from '../../functions/core/campaigns/birthday.ts';
import {
  defineCampaign,
  type CandidateContext,
  type CandidateLookups,
  type SelectedItem,
} from '../../functions/core/campaigns/campaign.ts';
import {
  CAMPAIGN_IDS,
  CAMPAIGNS,
  contactRules,
  isCampaignId,
  selectionQueries,
  type CampaignId,
} from '../../functions/core/campaigns/registry.ts';
import { isLapsed } from '../../functions/core/campaigns/win-back.ts';
import { localDate, localMinutes, runInstant } from '../../functions/core/dates.ts';
import { EMAIL_LANGUAGES } from '../../functions/core/email-copy.ts';
import { claimWindows, decide, type Eligibility } from '../../functions/core/mail/policy.ts';
import type { Recipient } from '../../functions/core/mail/ports.ts';
import { parseConfig } from '../../lib/config.ts';
import { FUNCTIONS } from '../../lib/manifest.ts';

const base = {
  customer: { unsubscribed: false },
  campaignId: 'promoter-thanks' as CampaignId,
  runDate: '2026-11-24',
  runId: 'run-1',
  now: '2026-11-24T09:00:00.000Z',
  frequencyCapDays: 7,
};

/** The policy's input for a campaign: its contact rules from the registry and the deployment's cap. */
const eligibility = ({ campaignId, frequencyCapDays, ...rest }: typeof base & Partial<Eligibility>): Eligibility => ({
  ...rest,
  rules: contactRules(campaignId, frequencyCapDays),
});

describe('decide', () => {
  it.each([
    ['a fresh customer', {}, { kind: 'send' }],
    ['unsubscribed', { customer: { unsubscribed: true } }, { kind: 'skip', reason: 'unsubscribed' }],
    ['suppressed', { customer: { unsubscribed: false, suppressed: true } }, { kind: 'skip', reason: 'suppressed' }],
    [
      'unsubscribed and suppressed: unsubscribed counts',
      { customer: { unsubscribed: true, suppressed: true } },
      { kind: 'skip', reason: 'unsubscribed' },
    ],
    ['ledger sent by another run', { ledger: { status: 'sent', runId: 'run-0' } }, { kind: 'skip', reason: 'alreadySent' }],
    [
      'ledger claimed (crash between claim and send): never again',
      { ledger: { status: 'claimed', runId: 'run-0' } },
      { kind: 'skip', reason: 'alreadySent' },
    ],
    [
      'ledger failed by another run: never retried',
      { ledger: { status: 'failed', runId: 'run-0' } },
      { kind: 'skip', reason: 'alreadySent' },
    ],
    ['ledger sent by this run (page read again)', { ledger: { status: 'sent', runId: 'run-1' } }, { kind: 'sentByThisRun' }],
    [
      'ledger claimed by this run (page read again after an error): counted as sent',
      { ledger: { status: 'claimed', runId: 'run-1' } },
      { kind: 'sentByThisRun' },
    ],
    [
      'ledger failed by this run (page read again): failed once more, not alreadySent',
      { ledger: { status: 'failed', runId: 'run-1' } },
      { kind: 'failedByThisRun' },
    ],
    ['ledger deferred by SES quota', { ledger: { status: 'deferred', runId: 'run-0' } }, { kind: 'resume' }],
    [
      'same campaign today',
      { state: { lastSentAt: '2026-11-24T08:00:00.000Z', lastOn: { 'promoter-thanks': '2026-11-24' } } },
      { kind: 'skip', reason: 'alreadySent' },
    ],
    [
      'another campaign 6 days ago',
      { state: { lastSentAt: '2026-11-18T09:00:00.001Z', lastOn: { birthday: '2026-11-18' } } },
      { kind: 'skip', reason: 'frequencyCap' },
    ],
    [
      'another campaign 7 days ago',
      { state: { lastSentAt: '2026-11-17T09:00:00.000Z', lastOn: { birthday: '2026-11-17' } } },
      { kind: 'send' },
    ],
    [
      'cap 0: yesterday is fine',
      { frequencyCapDays: 0, state: { lastSentAt: '2026-11-23T09:00:00.000Z', lastOn: { birthday: '2026-11-23' } } },
      { kind: 'send' },
    ],
    [
      'win-back 179 days ago',
      {
        campaignId: 'win-back',
        frequencyCapDays: 0,
        state: { lastSentAt: '2026-05-29T09:00:00.000Z', lastOn: { 'win-back': '2026-05-29' } },
      },
      { kind: 'skip', reason: 'alreadySent' },
    ],
    [
      'win-back 180 days ago',
      {
        campaignId: 'win-back',
        frequencyCapDays: 0,
        state: { lastSentAt: '2026-05-28T09:00:00.000Z', lastOn: { 'win-back': '2026-05-28' } },
      },
      { kind: 'send' },
    ],
    [
      'a run for a past date within the cap of a real send (a backfill): the cap holds in real time',
      { runDate: '2026-10-01', state: { lastSentAt: '2026-11-24T08:59:00.000Z', lastOn: { birthday: '2026-11-24' } } },
      { kind: 'skip', reason: 'frequencyCap' },
    ],
    [
      'a later date already mailed (backfill): the safe side',
      { frequencyCapDays: 0, state: { lastSentAt: '2026-11-24T08:00:00.000Z', lastOn: { 'promoter-thanks': '2026-11-30' } } },
      { kind: 'skip', reason: 'alreadySent' },
    ],
  ] as const)('%s', (_, overrides, expected) => {
    expect(decide(eligibility({ ...base, ...(overrides as Partial<typeof base & Eligibility>) }))).toEqual(expected);
  });
});

describe('claimWindows', () => {
  it.each([
    ['promoter-thanks', 7, { periodCutoff: '2026-11-23', capCutoff: '2026-11-17T09:30:00.000Z' }],
    ['win-back', 7, { periodCutoff: '2026-05-28', capCutoff: '2026-11-17T09:30:00.000Z' }],
    ['birthday', 0, { periodCutoff: '2026-11-23', capCutoff: undefined }],
  ] as const)('%s with a %i-day cap', (campaignId, cap, expected) => {
    expect(claimWindows(contactRules(campaignId, cap), '2026-11-24', '2026-11-24T09:30:00.000Z')).toEqual(expected);
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
    expect(selectionQueries(campaignId, date, { winBackDays: 90, timeZone: 'UTC' })).toEqual(expected);
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

  it("local dates and clock times are each zone's own, however the zones interleave, and a bad zone always throws", () => {
    const at = Date.parse('2026-11-24T23:45:00Z');
    for (let round = 0; round < 2; round++) {
      expect(localDate(at, 'Asia/Tokyo')).toBe('2026-11-25');
      expect(localMinutes(at, 'Asia/Tokyo')).toBe(8 * 60 + 45);
      expect(localDate(at, 'America/Los_Angeles')).toBe('2026-11-24');
      expect(localMinutes(at, 'America/Los_Angeles')).toBe(15 * 60 + 45);
      expect(localMinutes(Date.parse('2026-11-24T00:05:00Z'), 'UTC')).toBe(5); // midnight is 0, not 24
      expect(() => localDate(at, 'Mars/Olympus')).toThrow(RangeError);
      expect(() => localMinutes(at, 'Mars/Olympus')).toThrow(RangeError);
    }
  });

  it.each([
    [undefined, false],
    ['2026-08-25T23:59:59.999Z', true],
    ['2026-08-26T00:00:00.000Z', false],
  ])('latest response %s lapsed before the cutoff: %s', (latest, expected) => {
    expect(isLapsed(latest, '2026-08-26T00:00:00.000Z')).toBe(expected);
  });
});

// ---- the registry and each campaign's candidate step -------------------------------------------------------

describe('the campaign registry', () => {
  it('lists the campaigns once, each under its own id, in schedule order', () => {
    expect([...CAMPAIGN_IDS]).toEqual(['promoter-thanks', 'detractor-followup', 'win-back', 'birthday']);
    for (const id of CAMPAIGN_IDS) expect(CAMPAIGNS[id].id).toBe(id);
    expect(isCampaignId('birthday')).toBe(true);
    expect(isCampaignId('newsletter')).toBe(false);
    expect(isCampaignId('toString')).toBe(false);
  });

  it('is where the config, its defaults and the manifest schedules come from', () => {
    const config = parseConfig({ schedules: { birthday: 'cron(0 6 * * ? *)' } });
    expect(config.schedules).toEqual({
      'promoter-thanks': 'cron(0 9 * * ? *)',
      'detractor-followup': 'cron(0 9 * * ? *)',
      'win-back': 'cron(0 10 * * ? *)',
      birthday: 'cron(0 6 * * ? *)',
      invitations: 'cron(0/5 * * * ? *)',
      'score-alerts': 'cron(0 7 * * ? *)',
    });
    expect(() => parseConfig({ schedules: { newsletter: 'cron(0 6 * * ? *)' } })).toThrow();
    expect(() => parseConfig({ offers: { newsletter: 'x' } })).toThrow();
    const runner = FUNCTIONS.find((f) => f.name === 'SendAppreciation')!;
    expect(runner.schedules).toEqual([
      ...CAMPAIGN_IDS.map((id) => ({ id, input: { campaignId: id } })),
      { id: 'resume-paused-runs', cron: 'cron(0/5 * * * ? *)', input: { resumePausedRuns: {} } },
    ]);
  });

  it('a campaign that does not say how a selected item becomes a candidate does not compile', () => {
    const incomplete = {
      id: 'incomplete',
      periodDays: 1,
      notifiesTeam: false,
      defaultSchedule: 'cron(0 9 * * ? *)',
      select: () => [],
      copy: CAMPAIGNS.birthday.copy,
    } as const;
    // @ts-expect-error `candidate` is required (`npx tsc` fails here if it ever becomes optional)
    expect(() => defineCampaign(incomplete)).not.toThrow();
  });

  it.each(CAMPAIGN_IDS)('%s has a subject and paragraphs in every email language', (id) => {
    for (const language of EMAIL_LANGUAGES) {
      expect(CAMPAIGNS[id].copy[language].subject.length).toBeGreaterThan(5);
      expect(CAMPAIGNS[id].copy[language].blocks.length).toBeGreaterThan(0);
    }
  });
});

const customer = (overrides: Partial<Recipient> = {}): Recipient => ({
  customerId: 'c-1',
  email: 'c-1@example.com',
  unsubscribed: false,
  ...overrides,
});
const answer = { responseId: 'r-1', nps: 10, comment: 'Great' };

/** Lookups that answer from a map and record repairs. */
function lookups(latest: Record<string, string> = {}) {
  const repaired: Array<[string, string]> = [];
  const ports: CandidateLookups = {
    latestResponseAt: async (customerId) => latest[customerId],
    noteLatestResponse: async (customerId, at) => void repaired.push([customerId, at]),
  };
  return { ports, repaired };
}

const context = (overrides: Partial<CandidateContext> = {}): CandidateContext => ({
  runDate: '2026-11-24',
  instantMs: Date.parse('2026-11-24T09:00:00Z'),
  settings: { timeZone: 'UTC', winBackDays: 90 },
  lookups: lookups().ports,
  ...overrides,
});

const candidateOf = (id: CampaignId, item: SelectedItem, ctx: CandidateContext = context()) =>
  Promise.resolve(CAMPAIGNS[id].candidate(item, ctx));

describe.each(['promoter-thanks', 'detractor-followup'] as const)('%s candidates', (id) => {
  it('an answer of the day makes its customer a candidate for the run date, the answer quoted', async () => {
    expect(await candidateOf(id, { customer: customer(), answer })).toEqual({ period: '2026-11-24', answer });
  });

  it('a customer item without an answer is not one', async () => {
    expect(await candidateOf(id, { customer: customer() })).toBeUndefined();
  });
});

describe('win-back candidates', () => {
  it('a customer whose timeline confirms they lapsed is a candidate for the run date', async () => {
    const { ports, repaired } = lookups({ 'c-1': '2026-08-25T10:00:00.000Z' });
    expect(await candidateOf('win-back', { customer: customer() }, context({ lookups: ports }))).toEqual({
      period: '2026-11-24',
    });
    expect(repaired).toEqual([]);
  });

  it('a customer the stale index still lists, who answered since, is not one, and the index is repaired', async () => {
    const { ports, repaired } = lookups({ 'c-1': '2026-11-20T10:00:00.000Z' });
    expect(await candidateOf('win-back', { customer: customer() }, context({ lookups: ports }))).toBeUndefined();
    expect(repaired).toEqual([['c-1', '2026-11-20T10:00:00.000Z']]);
  });

  it('a customer without any response is not one (nothing to win back), and nothing is repaired', async () => {
    const { ports, repaired } = lookups();
    expect(await candidateOf('win-back', { customer: customer() }, context({ lookups: ports }))).toBeUndefined();
    expect(repaired).toEqual([]);
  });
});

describe('birthday candidates', () => {
  const noon = Date.parse('2026-11-24T12:00:00Z'); // 02:00 on the 25th in Kiritimati (UTC+14)

  it('a customer whose birthday it is in their own time zone is a candidate for that local date', async () => {
    const item = { customer: customer({ birthday: '11-25', timezone: 'Pacific/Kiritimati' }) };
    expect(await candidateOf('birthday', item, context({ instantMs: noon }))).toEqual({ period: '2026-11-25' });
  });

  it('without a time zone, the schedule’s decides', async () => {
    const item = { customer: customer({ birthday: '1990-11-25' }) };
    const kiritimati = { timeZone: 'Pacific/Kiritimati', winBackDays: 90 };
    expect(await candidateOf('birthday', item, context({ instantMs: noon, settings: kiritimati }))).toEqual({
      period: '2026-11-25',
    });
    expect(await candidateOf('birthday', item, context({ instantMs: noon }))).toBeUndefined();
  });

  it('a customer selected from a neighbouring day, or without a birthday, is not one', async () => {
    expect(await candidateOf('birthday', { customer: customer({ birthday: '11-23', timezone: 'UTC' }) })).toBeUndefined();
    expect(await candidateOf('birthday', { customer: customer() })).toBeUndefined();
  });
});
