import { describe, expect, it } from 'vitest';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { addDays } from '../../functions/core/dates.ts';
import type { Db } from '../../functions/data/db.ts';
import { sesMailer } from '../../functions/data/mailer.ts';
import { dynamoSendRate } from '../../functions/data/send-rate.ts';
import { dynamoDbClient } from '../../functions/runtime/clients.ts';
import { sesClient } from '../../functions/runtime/ses-client.ts';
import { startRun } from '../../functions/send-appreciation/run-campaign.ts';
import { appreciationDb, givenAnswer, givenCustomer, testPorts, testSettings, uniqueDate } from '../support/appreciation.ts';

/**
 * One send rate for the account: three runs at once, each with its own mailer (as three Lambda invocations would
 * have), share the rate through the table. The send instants are taken at the SES client, against the local SES.
 */
const db = appreciationDb();
const MAX_SEND_RATE = 10;

/** An SES client that notes the instant of each SendEmail it makes. */
function timedSes(instants: number[]): SESv2Client {
  const client = sesClient();
  client.middlewareStack.add((next) => async (args) => (instants.push(Date.now()), next(args)), { step: 'initialize' });
  return client;
}

/** The table, through a client of its own that notes when each request that succeeded was made (the send rate's). */
function timedDb(requested: number[]): Db {
  const client = dynamoDbClient();
  client.middlewareStack.add(
    (next) => async (args) => {
      const at = Date.now();
      const result = await next(args);
      requested.push(at);
      return result;
    },
    { step: 'initialize' },
  );
  return { client, table: db.table };
}

async function givenAnswered(count: number, day: string, nps: number) {
  for (let i = 0; i < count; i++) {
    const c = await givenCustomer(db, { locale: 'en' });
    await givenAnswer(db, c.customerId, { nps, submittedAt: `${day}T12:00:00.000Z` });
  }
}

describe('the account-wide send rate', () => {
  it('three concurrent runs of different campaigns keep their combined rate within 1.1 × maxSendRate', async () => {
    const [first, second] = [uniqueDate(), uniqueDate(2011, 10)];
    await givenAnswered(20, addDays(first, -1), 10);
    await givenAnswered(20, addDays(first, -1), 2);
    await givenAnswered(20, addDays(second, -1), 9);
    const instants: number[] = [];
    const reservations: number[] = [];
    const settings = testSettings({ maxSendRate: MAX_SEND_RATE });
    const invocation = () =>
      testPorts(db, {
        settings,
        send: sesMailer({
          client: timedSes(instants),
          from: 'feedback@example.com',
          maxSendRate: MAX_SEND_RATE,
          sendRate: dynamoSendRate(timedDb(reservations), MAX_SEND_RATE),
        }),
      }).ports;
    const run = (campaignId: 'promoter-thanks' | 'detractor-followup', date: string) =>
      startRun(invocation(), { campaignId, date, dryRun: false, linkBaseUrl: 'https://x.example' }, 60_000);

    const reports = await Promise.all([
      run('promoter-thanks', first),
      run('detractor-followup', first),
      run('promoter-thanks', second),
    ]);

    expect(reports.map((r) => [r.status, r.sent])).toEqual([
      ['done', 20],
      ['done', 20],
      ['done', 20],
    ]);
    instants.sort((a, b) => a - b);
    expect(instants).toHaveLength(60);
    // Measured from the first reservation that succeeded, as it was asked for: the slots it hands out start there,
    // so a slow round trip for it (its sends late, crowding the next block's) cannot shorten the span measured, as
    // measuring from the first send did. A rate that each run kept alone (3 × 10/s) still measures about 30/s.
    const start = Math.min(...reservations);
    expect(start).toBeLessThanOrEqual(instants[0]!);
    const rate = ((instants.length - 1) / (instants.at(-1)! - start)) * 1000;
    const busiestSecond = Math.max(...instants.map((t) => instants.filter((u) => u >= t && u < t + 1000).length));
    console.info(`account send rate: ${rate.toFixed(2)}/s over ${instants.length} sends; busiest second ${busiestSecond}`);
    expect(rate).toBeLessThanOrEqual(1.1 * MAX_SEND_RATE);
  }, 30_000);
});

describe('the send-rate item', () => {
  /** Each fake clock starts a day after the last: a year ahead, then a day apart. */
  let clockStart = Date.now() + 365 * 86_400_000;

  /**
   * The table's send-rate item through a client of its own that counts its round trips, on a fake clock that moves
   * `roundTripMs` during each. Past 100 trips it fails, so a rate that reserves for ever fails the test.
   */
  function counted(perSecond: number, { slotsPerTrip = 1, roundTripMs = 0 } = {}) {
    const client = dynamoDbClient();
    let trips = 0;
    let now = (clockStart += 86_400_000); // past any slot another test reserved on the shared item
    client.middlewareStack.add(
      (next) => async (args) => {
        if (++trips > 100) throw new Error('100 round trips: the rate reserves without end');
        const result = await next(args);
        now += roundTripMs;
        return result;
      },
      { step: 'initialize' },
    );
    const clock = { now: () => now, sleep: async (ms: number) => void (now += ms) };
    const take = dynamoSendRate({ client, table: process.env.TABLE_NAME! }, perSecond, { slotsPerTrip, clock });
    return { take, trips: () => trips, wait: (ms: number) => void (now += ms), now: () => now };
  }

  it('costs one round trip per reservation whether sends keep up with the rate or fall behind it', async () => {
    const rate = counted(10);
    // Behind the rate (idle): a second between sends. The first finds out which case holds; the rest go straight to it.
    for (let i = 0; i < 5; i++) {
      expect(await rate.take()).toBe(true);
      rate.wait(1000);
    }
    expect(rate.trips()).toBe(6);
    // At the rate (busy): back to back, each send waiting for its slot.
    for (let i = 0; i < 5; i++) expect(await rate.take()).toBe(true);
    expect(rate.trips()).toBe(6 + 5 + 1);
  });

  it('sends when each round trip takes longer than the block of slots it reserves spans', async () => {
    // 500/s in blocks of 10 span 20 ms; each reservation takes 50 ms, so every block comes back already past.
    const rate = counted(500, { slotsPerTrip: 10, roundTripMs: 50 });
    const sentAt: number[] = [];
    for (let i = 0; i < 30; i++) {
      expect(await rate.take()).toBe(true);
      sentAt.push(rate.now());
    }
    // 3 blocks, and the first reservation's second case; not a reservation per send, nor one without end.
    expect(rate.trips()).toBeGreaterThanOrEqual(3);
    expect(rate.trips()).toBeLessThanOrEqual(5);
    // A late block goes out spaced as reserved, not at once.
    for (let i = 1; i < 10; i++) expect(sentAt[i]! - sentAt[i - 1]!).toBeGreaterThanOrEqual(2);
  });

  it('keeps a late block for the senders that come after its arrival', async () => {
    const rate = counted(500, { slotsPerTrip: 10, roundTripMs: 50 });
    expect(await rate.take()).toBe(true);
    const trips = rate.trips();
    rate.wait(5); // a claim, a send: the block's next slots are still ahead or within an interval
    for (let i = 0; i < 5; i++) expect(await rate.take()).toBe(true);
    expect(rate.trips()).toBe(trips);
  });

  it('drops the slots left unused past their instant, and reserves again', async () => {
    const rate = counted(500, { slotsPerTrip: 10 });
    expect(await rate.take()).toBe(true);
    const trips = rate.trips();
    rate.wait(1000); // a pause: the block's other 9 slots are a second old
    expect(await rate.take()).toBe(true);
    expect(rate.trips()).toBeGreaterThan(trips);
  });
});
