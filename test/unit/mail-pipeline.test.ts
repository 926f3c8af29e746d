import { describe, expect, it } from 'vitest';
import { SendDeferred } from '../../functions/core/mail/ports.ts';
import { mailBatch, type EmailKind, type MailCandidate } from '../../functions/mail/pipeline.ts';
import { fakeCampaignStore, fakeMailer } from '../support/fake-campaign-store.ts';

/**
 * The pipeline with a kind that is not a campaign (an invitation-like kind with its own ledger stream, period and
 * template): the claim, send and record are the pipeline's, the kind brings only its rules and its email.
 */
interface Invite extends MailCandidate {
  surveyId: string;
}

const invitations: EmailKind<Invite> = {
  name: 'Invitation',
  rules: { stream: 'invitation', periodDays: 30, capDays: 0 },
  dimensions: { surveyId: 's-1' },
  compose: (c) => ({
    subject: `How are we doing, ${c.customer.name}?`,
    html: `<p>${c.surveyId}</p>`,
    text: c.surveyId,
    language: 'en',
    headers: {},
    tags: { kind: 'invitation' },
  }),
};

function given() {
  const fake = fakeCampaignStore();
  const mailer = fakeMailer();
  const candidates = ['a', 'b', 'c'].map((id): Invite => ({
    customer: fake.givenCustomer({ customerId: id, name: id.toUpperCase() }),
    period: '2026-11-24',
    surveyId: 's-1',
  }));
  const ports = { store: fake.store, send: mailer.send, now: () => Date.parse('2026-11-24T10:00:00Z') };
  return { fake, mailer, candidates, ports };
}

const run = { runId: 'dispatch-1', date: '2026-11-24' };

describe('mailBatch with another email kind', () => {
  it('claims in its own stream, sends its own email, records the outcome, and never twice', async () => {
    const { fake, mailer, candidates, ports } = given();
    fake.customers.get('c')!.unsubscribed = true;

    const first = await mailBatch(ports, invitations, run, candidates, { dryRun: false, concurrency: 2 });
    const again = await mailBatch(ports, invitations, { ...run, runId: 'dispatch-2' }, candidates, {
      dryRun: false,
      concurrency: 2,
    });

    expect(first.counts).toMatchObject({ selected: 3, sent: 2, skipped: { unsubscribed: 1 } });
    expect(again.counts).toMatchObject({ sent: 0, skipped: { alreadySent: 2, unsubscribed: 1 } });
    expect(mailer.sent.map((e) => [e.to, e.subject])).toEqual([
      ['a@example.com', 'How are we doing, A?'],
      ['b@example.com', 'How are we doing, B?'],
    ]);
    expect(fake.ledger.get(fake.ledgerKey('a', 'invitation', '2026-11-24'))).toMatchObject({
      status: 'sent',
      runId: 'dispatch-1',
    });
    expect(fake.mailState.get('a')!.lastOn).toEqual({ invitation: '2026-11-24' });
  });

  it('its period is its own: a campaign email of the same day does not count against it (no cap)', async () => {
    const { fake, mailer, candidates, ports } = given();
    fake.mailState.set('a', { lastSentAt: '2026-11-24T08:00:00.000Z', lastOn: { 'promoter-thanks': '2026-11-24' } });

    const result = await mailBatch(ports, invitations, run, candidates.slice(0, 1), { dryRun: false, concurrency: 1 });

    expect(result.counts.sent).toBe(1);
    expect(mailer.sent).toHaveLength(1);
  });

  it('a dry run composes and lists, and claims nothing', async () => {
    const { fake, mailer, candidates, ports } = given();

    const result = await mailBatch(ports, invitations, run, candidates, { dryRun: true, concurrency: 1 });

    expect(result.wouldSend.map((w) => w.subject)).toEqual([
      'How are we doing, A?',
      'How are we doing, B?',
      'How are we doing, C?',
    ]);
    expect(mailer.sent).toHaveLength(0);
    expect(fake.ledger.size).toBe(0);
  });

  it('a deferral stops the batch and leaves the entry deferred; the next batch resumes it', async () => {
    const { fake, candidates, ports } = given();
    const deferring = fakeMailer(() => {
      throw new SendDeferred('quota', 60_000);
    });

    const stopped = await mailBatch({ ...ports, send: deferring.send }, invitations, run, candidates, {
      dryRun: false,
      concurrency: 1,
    });
    const resumed = await mailBatch(ports, invitations, { ...run, runId: 'dispatch-2' }, candidates.slice(0, 1), {
      dryRun: false,
      concurrency: 1,
    });

    expect(stopped.deferred?.reason).toBe('quota');
    expect(stopped.counts.sent).toBe(0);
    expect(fake.ledger.get(fake.ledgerKey('a', 'invitation', '2026-11-24'))).toMatchObject({
      status: 'sent',
      runId: 'dispatch-2',
    });
    expect(fake.ledger.has(fake.ledgerKey('b', 'invitation', '2026-11-24'))).toBe(false); // never reached
    expect(resumed.counts.sent).toBe(1);
  });

  it('starts no candidate from the deadline on, hands the mailer the deadline, and counts only what it started', async () => {
    const { mailer, candidates, ports } = given();
    let clock = 0;
    const deadlines: Array<number | undefined> = [];
    const slow = {
      ...ports,
      now: () => clock,
      send: async (...[email, options]: Parameters<typeof mailer.send>) => {
        deadlines.push(options?.deadlineMs);
        clock += 3_000; // each send takes 3 s
        return mailer.send(email, options);
      },
    };

    const result = await mailBatch(slow, invitations, run, candidates, { dryRun: false, concurrency: 1, deadlineMs: 5_000 });

    expect(result).toMatchObject({ unfinished: true, counts: { selected: 2, sent: 2 } });
    expect(mailer.sent.map((e) => e.to)).toEqual(['a@example.com', 'b@example.com']);
    expect(deadlines).toEqual([5_000, 5_000]);
  });

  it('a rate slot past the deadline defers that email and ends the batch unfinished, for the next pass to resume', async () => {
    const { fake, candidates, ports } = given();
    const mailer = fakeMailer((email) => {
      if (email.to === 'b@example.com') throw new SendDeferred('outOfTime', 0);
    });

    const result = await mailBatch({ ...ports, send: mailer.send }, invitations, run, candidates, {
      dryRun: false,
      concurrency: 1,
    });
    const next = await mailBatch(ports, invitations, run, candidates, { dryRun: false, concurrency: 1 });

    expect(result).toMatchObject({ unfinished: true, counts: { selected: 2, sent: 1 } });
    expect(result.deferred).toBeUndefined();
    expect(next.counts).toMatchObject({ selected: 3, sent: 3 }); // a counted once, b resumed, c sent
    expect(fake.ledger.get(fake.ledgerKey('b', 'invitation', '2026-11-24'))).toMatchObject({ status: 'sent' });
  });
});

describe('mailBatch, per address', () => {
  it('mails an address shared by several customers once, in any kind, and an opted-out address for none of them', async () => {
    const { fake, mailer, ports } = given();
    const sharing = ['Pat@Example.com', 'pat@example.com', ' PAT@example.com'].map((email, i): Invite => ({
      customer: fake.givenCustomer({ customerId: `p${i}`, name: 'Pat', email }),
      period: '2026-11-24',
      surveyId: 's-1',
    }));

    const first = await mailBatch(ports, invitations, run, sharing, { dryRun: false, concurrency: 3 });
    expect(first.counts).toMatchObject({ selected: 3, sent: 1, skipped: { alreadySent: 2 } });
    expect(mailer.sent).toHaveLength(1);

    fake.addressOf('pat@example.com').unsubscribed = true;
    const later = await mailBatch(ports, invitations, { runId: 'dispatch-2', date: '2026-12-30' }, sharing, {
      dryRun: false,
      concurrency: 3,
    });
    expect(later.counts).toMatchObject({ sent: 0, skipped: { unsubscribed: 3 } });
  });
});

describe('mailBatch, a ledger-only kind (invitations)', () => {
  const ledgerOnly: EmailKind<Invite> = {
    ...invitations,
    rules: { stream: 'invitation', periodDays: 0, capDays: 0, ledgerOnly: true },
  };

  it('claims without reading first, and reads (consistently) only for the claims that lost, to say why', async () => {
    const { fake, mailer, candidates, ports } = given();
    const reads: Array<{ consistent: boolean; customers: string[] }> = [];
    const store: typeof fake.store = {
      ...fake.store,
      readMailingFacts: (stream, wanted, options) => {
        reads.push({ consistent: options?.consistent === true, customers: wanted.map((w) => w.customerId) });
        return fake.store.readMailingFacts(stream, wanted, options);
      },
    };
    // b's entry was deferred by SES in an earlier run; another customer with c's address unsubscribed it.
    fake.ledger.set(fake.ledgerKey('b', 'invitation', '2026-11-24'), { status: 'deferred', runId: 'old', subject: '' });
    fake.addressOf('c@example.com').unsubscribed = true;

    const first = await mailBatch({ ...ports, store }, ledgerOnly, run, candidates, { dryRun: false, concurrency: 1 });
    expect(first.counts).toMatchObject({ selected: 3, sent: 2, skipped: { unsubscribed: 1 } });
    expect(mailer.sent.map((e) => e.to)).toEqual(['a@example.com', 'b@example.com']);
    expect(reads).toEqual([
      { consistent: true, customers: ['b'] },
      { consistent: true, customers: ['c'] },
    ]);

    reads.length = 0;
    const again = await mailBatch({ ...ports, store }, ledgerOnly, { ...run, runId: 'dispatch-2' }, candidates, {
      dryRun: false,
      concurrency: 1,
    });
    expect(again.counts).toMatchObject({ sent: 0, skipped: { alreadySent: 2, unsubscribed: 1 } });
    expect(mailer.sent).toHaveLength(2);
    expect(reads.map((r) => r.customers)).toEqual([['a'], ['b'], ['c']]);
  });

  it('mails a customer whose address changed since the dispatch read them at the address they have now', async () => {
    const { fake, mailer, candidates, ports } = given();
    const stale = { ...candidates[0]!, customer: { ...candidates[0]!.customer } }; // read before the change
    fake.customers.get('a')!.email = 'a.new@example.com';

    const result = await mailBatch(ports, ledgerOnly, run, [stale], { dryRun: false, concurrency: 1 });

    expect(result.counts).toMatchObject({ selected: 1, sent: 1 });
    expect(mailer.sent.map((e) => e.to)).toEqual(['a.new@example.com']);
  });

  it('a dry run reads first, so it lists only whom a real run would mail', async () => {
    const { fake, candidates, ports } = given();
    fake.ledger.set(fake.ledgerKey('a', 'invitation', '2026-11-24'), { status: 'sent', runId: 'old', subject: '' });
    fake.addressOf('c@example.com').suppressed = true;

    const result = await mailBatch(ports, ledgerOnly, run, candidates, { dryRun: true, concurrency: 1 });

    expect(result.wouldSend.map((w) => w.customerId)).toEqual(['b']);
    expect(result.counts.skipped).toMatchObject({ alreadySent: 1, suppressed: 1 });
  });
});
