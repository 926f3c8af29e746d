import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/core/dates.ts';
import { newId } from '../../functions/core/ids.ts';
import { saveResponse } from '../../functions/data/responses.ts';
import { unsubscribeCustomer } from '../../functions/data/mail-ledger.ts';
import { createRun, getRun } from '../../functions/data/campaign-runs.ts';
import { queryCustomerPartition } from '../../functions/data/customers.ts';
import { continueRun, resumeDueRuns, runScheduled, startRun } from '../../functions/send-appreciation/run-campaign.ts';
import { storedCustomer } from '../support/api.ts';
import { uniqueId } from '../support/factories.ts';
import {
  aPausedRun,
  appreciationDb,
  givenAnswer,
  givenCustomer,
  header,
  sentTo,
  testPorts,
  testSettings,
  uniqueDate,
} from '../support/appreciation.ts';

const DAY_MS = 86_400_000;

const db = appreciationDb();
const BASE = 'https://feedback.example.com';
const BUDGET = 60_000;

describe('promoter-thanks against DynamoDB Local and the local SES', () => {
  it('thanks yesterday’s promoters once, in their language, with one-click unsubscribe headers', async () => {
    const date = uniqueDate();
    const yesterday = `${addDays(date, -1)}T15:00:00.000Z`;
    const ayse = await givenCustomer(db, { name: 'Ayşe', locale: 'tr-TR' });
    const milan = await givenCustomer(db, { name: 'Милан', locale: 'sr' });
    const mari = await givenCustomer(db, { name: 'Mari', locale: 'et' });
    const passive = await givenCustomer(db, { locale: 'en' });
    const optedOut = await givenCustomer(db, { locale: 'en' });
    for (const c of [ayse, milan, mari, optedOut]) await givenAnswer(db, c.customerId, { nps: 10, submittedAt: yesterday });
    await givenAnswer(db, passive.customerId, { nps: 8, submittedAt: yesterday });
    await givenAnswer(db, 'no-profile-customer', { nps: 9, submittedAt: yesterday });
    await unsubscribeCustomer(db, optedOut.customerId, new Date().toISOString());
    const { ports } = testPorts(db);

    const report = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: BASE }, BUDGET);

    expect(report).toMatchObject({
      status: 'done',
      selected: 4,
      sent: 3,
      skipped: { unsubscribed: 1, alreadySent: 0, frequencyCap: 0, suppressed: 0 },
    });
    const emails = await sentTo(ayse.email, milan.email, mari.email, passive.email, optedOut.email);
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual([ayse.email, milan.email, mari.email].sort());
    const byRecipient = Object.fromEntries(emails.map((e) => [e.destination.to[0], e]));
    expect(byRecipient[ayse.email]!.subject).toBe('Güzel sözleriniz için teşekkürler, Ayşe');
    expect(byRecipient[milan.email]!.subject).toBe('Хвала вам на лепим речима, Милан');
    expect(byRecipient[mari.email]!.subject).toBe('Aitäh teie heade sõnade eest, Mari');
    for (const email of emails) {
      expect(header(email, 'List-Unsubscribe')).toMatch(/^<https:\/\/feedback\.example\.com\/v1\/unsubscribe\?token=[^>]+>$/);
      expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(email.body.html).toContain('10');
      expect(email.body.text).toContain('Deniz Kaya');
    }
    expect(byRecipient[ayse.email]!.body.text).toContain('Sayın Ayşe,');
    expect(byRecipient[ayse.email]!.body.text).toContain('THANKS-15: 15 % off');

    const ledger = await queryCustomerPartition(db, ayse.customerId, 'EMAIL#');
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({
      campaignId: 'promoter-thanks',
      period: date,
      status: 'sent',
      subject: byRecipient[ayse.email]!.subject,
    });
    expect(ledger[0]!.sentAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);

    const again = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: BASE }, BUDGET);
    expect(again).toMatchObject({ status: 'done', selected: 4, sent: 0, skipped: { alreadySent: 3, unsubscribed: 1 } });
    expect(await sentTo(ayse.email, milan.email, mari.email)).toHaveLength(3);
  });

  it('a dry run lists recipients and subjects and records and sends nothing', async () => {
    const date = uniqueDate();
    const c = await givenCustomer(db, { name: 'Jane', locale: 'en-GB' });
    await givenAnswer(db, c.customerId, { nps: 9, submittedAt: `${addDays(date, -1)}T08:00:00.000Z` });
    const { ports } = testPorts(db);

    const report = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: true, linkBaseUrl: BASE }, BUDGET);

    expect(report).toMatchObject({ dryRun: true, status: 'done', selected: 1, sent: 0, wouldSend: 1 });
    expect(report.recipients).toEqual([
      { customerId: c.customerId, email: c.email, subject: 'Thank you for your kind words, Jane' },
    ]);
    expect(await sentTo(c.email)).toHaveLength(0);
    expect(await queryCustomerPartition(db, c.customerId, 'EMAIL#')).toHaveLength(0);
    expect(await getRun(db, 'promoter-thanks', report.runId)).toBeUndefined();
  });
});

describe('detractor-followup', () => {
  it('quotes the comment escaped in HTML and as written in text, and tells the team', async () => {
    const date = uniqueDate();
    const c = await givenCustomer(db, { name: 'Sam', locale: 'fr' });
    const comment = 'Slow <script>alert("x")</script> & rude';
    await givenAnswer(db, c.customerId, { nps: 3, comment, submittedAt: `${addDays(date, -1)}T20:00:00.000Z` });
    const { ports, notices } = testPorts(db);

    const report = await startRun(ports, { campaignId: 'detractor-followup', date, dryRun: false, linkBaseUrl: BASE }, BUDGET);

    expect(report).toMatchObject({ sent: 1, selected: 1 });
    const [email] = await sentTo(c.email);
    expect(email!.subject).toBe('About your feedback: we want to make it right');
    expect(email!.body.html).toContain('Slow &lt;script&gt;alert(&quot;x&quot;)&lt;&#x2F;script&gt; &amp; rude');
    expect(email!.body.html).not.toContain('<script>');
    expect(email!.body.text).toContain(`> ${comment}`);
    expect(email!.body.text).toContain('You rated us 3 out of 10');
    expect(notices).toEqual([expect.objectContaining({ customerId: c.customerId, score: 3, comment })]);
  });
});

describe('frequency cap and periods', () => {
  it('skips a customer mailed within frequencyCapDays by another campaign, and mails them after', async () => {
    const date = uniqueDate();
    const birthday = addDays(date, 2).slice(5);
    const c = await givenCustomer(db, { timezone: 'UTC', birthday });
    await givenAnswer(db, c.customerId, { nps: 10, submittedAt: `${addDays(date, -1)}T10:00:00.000Z` });
    const { ports } = testPorts(db);
    await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: BASE }, BUDGET);

    const capped = await startRun(
      ports,
      { campaignId: 'birthday', date: addDays(date, 2), dryRun: false, linkBaseUrl: BASE },
      BUDGET,
    );
    expect(capped.skipped.frequencyCap).toBeGreaterThanOrEqual(1);
    expect((await sentTo(c.email)).map((e) => e.subject)).toEqual(['Güzel sözleriniz için teşekkürler, Ayşe Yılmaz']);

    // The cap runs on the clock: two days later in real time, a one-day cap is over.
    const { ports: uncapped } = testPorts(db, {
      settings: testSettings({ frequencyCapDays: 1 }),
      now: () => Date.now() + 2 * DAY_MS,
    });
    const later = await startRun(
      uncapped,
      { campaignId: 'birthday', date: addDays(date, 2), dryRun: false, linkBaseUrl: BASE },
      BUDGET,
    );
    expect(later.sent).toBeGreaterThanOrEqual(1);
    const subjects = (await sentTo(c.email)).map((e) => e.subject);
    expect(subjects).toContain('Doğum gününüz kutlu olsun, Ayşe Yılmaz!');
  });

  it('win-back mails the lapsed once per 180 days and never someone the stale index still lists', async () => {
    const date = uniqueDate(1900, 50);
    const lapsed = await givenCustomer(db, { name: 'Kadri', locale: 'et-EE' });
    const returned = await givenCustomer(db, { locale: 'en' });
    await givenAnswer(db, lapsed.customerId, { nps: 7, submittedAt: `${addDays(date, -200)}T10:00:00.000Z` });
    await givenAnswer(db, returned.customerId, { nps: 7, submittedAt: `${addDays(date, -200)}T10:00:00.000Z` });
    // A recent answer the index did not hear about: the timeline says they are not lapsed.
    const recent = `${addDays(date, -3)}T10:00:00.000Z`;
    await saveResponse(db, {
      responseId: newId(),
      surveyId: uniqueId('s'),
      customerId: returned.customerId,
      nps: 9,
      submittedAt: recent,
      receivedAt: recent,
      createdAt: recent,
    });
    const { ports } = testPorts(db);

    const first = await startRun(ports, { campaignId: 'win-back', date, dryRun: false, linkBaseUrl: BASE }, BUDGET);
    expect(await sentTo(returned.email)).toHaveLength(0);
    const [email] = await sentTo(lapsed.email);
    expect(email!.subject).toBe('Me igatseme teid, Kadri');
    expect(first.sent).toBeGreaterThanOrEqual(1);
    const [repaired] = await storedCustomer(returned.customerId).then((items) => items.filter((i) => i.sk === '#CUSTOMER'));
    expect(repaired!.lastResponseAt).toBe(recent);

    // 30 days later, with the frequency cap long over: still within win-back's 180-day period.
    const later = (days: number) => testPorts(db, { now: () => Date.now() + days * DAY_MS }).ports;
    await startRun(later(30), { campaignId: 'win-back', date: addDays(date, 30), dryRun: false, linkBaseUrl: BASE }, BUDGET);
    expect(await sentTo(lapsed.email)).toHaveLength(1);
    await startRun(later(181), { campaignId: 'win-back', date: addDays(date, 181), dryRun: false, linkBaseUrl: BASE }, BUDGET);
    expect(await sentTo(lapsed.email)).toHaveLength(2);
  });
});

describe('never twice', () => {
  it('10 concurrent runs of one campaign, replayed 3 times: every customer gets exactly one email', async () => {
    const date = uniqueDate();
    const customers = await Promise.all(Array.from({ length: 25 }, () => givenCustomer(db, { locale: 'en' })));
    for (const c of customers) await givenAnswer(db, c.customerId, { nps: 9, submittedAt: `${addDays(date, -1)}T12:00:00.000Z` });
    const { ports } = testPorts(db, { settings: testSettings({ maxSendRate: 50 }) });

    let sent = 0;
    for (let replay = 0; replay < 3; replay++) {
      const reports = await Promise.all(
        Array.from({ length: 10 }, () =>
          startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: BASE }, BUDGET),
        ),
      );
      for (const r of reports) {
        expect(r.status).toBe('done');
        expect(r.selected).toBe(25);
        expect(r.sent + r.skipped.alreadySent).toBe(25);
      }
      sent += reports.reduce((sum, r) => sum + r.sent, 0);
    }

    expect(sent).toBe(25);
    const emails = await sentTo(...customers.map((c) => c.email));
    expect(emails).toHaveLength(25);
    expect(new Set(emails.map((e) => e.destination.to[0])).size).toBe(25);
  });

  it('a run bigger than its budget goes on in a fresh invocation and ends with exact counts', async () => {
    const date = uniqueDate();
    const customers = await Promise.all(Array.from({ length: 30 }, () => givenCustomer(db, { locale: 'en' })));
    for (const c of customers)
      await givenAnswer(db, c.customerId, { nps: 10, submittedAt: `${addDays(date, -1)}T12:00:00.000Z` });
    // At 2 emails a second a page is 10 customers and about 7 s; the budget fits one page. Each send takes 0.5 s of a fake clock.
    let clock = Date.now();
    const { ports: real } = testPorts(db);
    const { ports, continued } = testPorts(db, {
      settings: testSettings({ maxSendRate: 2 }),
      now: () => clock,
      send: async (email) => {
        clock += 500;
        return real.send(email);
      },
    });

    const started = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: BASE }, 7_100);
    expect(started.status).toBe('running');
    expect(continued).toHaveLength(1);
    let invocations = 1;
    for (let job = continued.shift(); job; job = continued.shift()) {
      await continueRun(ports, job.continueRun, 7_100);
      invocations++;
    }
    expect(invocations).toBe(4); // three pages, then the hand-off that finds the selection read to the end

    const run = (await getRun(db, 'promoter-thanks', started.runId))!;
    expect(run).toMatchObject({ status: 'done', selected: 30, sent: 30 });
    expect(await sentTo(...customers.map((c) => c.email))).toHaveLength(30);
  });
});

describe('a schedule tick', () => {
  it('runs today in the schedule’s time zone and hands on the campaign’s paused runs whose pause is over', async () => {
    // 23:30 UTC on 1950-03-01 is already 1950-03-02 in Istanbul: the schedule's time zone decides "today".
    const now = Date.parse('1950-03-01T23:30:00Z');
    const c = await givenCustomer(db, { name: 'Emre' });
    await givenAnswer(db, c.customerId, { nps: 10, submittedAt: '1950-03-01T10:00:00.000Z' });
    const { ports, continued } = testPorts(db, { now: () => now, settings: testSettings({ timeZone: 'Europe/Istanbul' }) });
    const paused = aPausedRun({
      campaignId: 'promoter-thanks',
      date: '1950-03-01',
      now,
      resumeAfter: now - 1,
      linkBaseUrl: BASE,
    });
    await createRun(db, paused);

    const report = await runScheduled(ports, 'promoter-thanks', BASE, BUDGET);

    expect(report).toMatchObject({ date: '1950-03-02', status: 'done', sent: 1 });
    expect(continued.map((job) => job.continueRun.runId)).toContain(paused.runId);
    expect((await sentTo(c.email)).map((e) => e.subject)).toEqual(['Güzel sözleriniz için teşekkürler, Emre']);
  });

  it('a new POST of the campaign hands on its paused runs whose pause is over, not before (no waiting for the daily schedule)', async () => {
    const now = Date.now();
    const { ports, continued } = testPorts(db, { now: () => now });
    const pausedRun = (resumeAfter: number) =>
      aPausedRun({ campaignId: 'win-back', date: '1950-04-01', now, resumeAfter, linkBaseUrl: BASE });
    const due = pausedRun(now - 1);
    const notYet = pausedRun(now + 3_600_000);
    await createRun(db, due);
    await createRun(db, notYet);

    await resumeDueRuns(ports, 'win-back');

    const handedOn = continued.map((job) => job.continueRun.runId);
    expect(handedOn).toContain(due.runId);
    expect(handedOn).not.toContain(notYet.runId);
  });
});
