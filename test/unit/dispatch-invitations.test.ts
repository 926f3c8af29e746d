import { describe, expect, it } from 'vitest';
import { SendBlocked, SendDeferred, SendFailed } from '../../functions/core/mail/ports.ts';
import { dispatchDue } from '../../functions/dispatch-invitations/dispatch.ts';
import type { DispatchPorts } from '../../functions/dispatch-invitations/ports.ts';
import { fakeCampaignStore, fakeMailer } from '../support/fake-campaign-store.ts';
import { fakeInvitationStore } from '../support/fake-invitation-store.ts';

const ring = { activeKid: 'k1', keys: { k1: 'a-signing-secret-of-length' } };
const ms = (iso: string) => Date.parse(iso);

function given(behave?: Parameters<typeof fakeMailer>[0]) {
  const mail = fakeCampaignStore();
  const invitations = fakeInvitationStore((ids) => mail.store.getRecipients(ids));
  const mailer = fakeMailer(behave);
  invitations.surveys.set('s-1', {
    surveyId: 's-1',
    questions: ['nps', 'comment'],
    invite: { remindAfterDays: 3, expiresInDays: 14 },
  });
  const ports: DispatchPorts = {
    invitations: invitations.store,
    mail: mail.store,
    send: mailer.send,
    keyring: async () => ring,
    now: () => Date.now(),
    settings: {
      timeZone: 'Europe/Istanbul',
      sendWindow: { from: '09:00', to: '20:00' },
      brand: { name: 'Acme', color: '#3949ab' },
      maxSendRate: 10,
    },
    linkBaseUrl: 'https://fb.example',
  };
  const dispatch = (at: string) => dispatchDue(ports, ms(at), Date.now() + 60_000);
  return { mail, invitations, mailer, ports, dispatch };
}

describe('dispatchDue', () => {
  it('a reminder set later than the link lives is never sent: the invitation is next due at its expiry, and expires', async () => {
    const { mail, invitations, mailer, dispatch } = given();
    invitations.surveys.set('s-1', { surveyId: 's-1', questions: ['nps'], invite: { remindAfterDays: 30, expiresInDays: 14 } });
    mail.givenCustomer({ customerId: 'c-1', name: 'Ayşe', locale: 'tr' });
    invitations.givenInvitation({ invitationId: 'inv-1', customerId: 'c-1', sendAt: '2026-11-28T08:00:00.000Z' });

    expect(await dispatch('2026-11-28T10:00:00.000Z')).toMatchObject({ sent: 1 });
    expect(invitations.dueAt.get('inv-1')).toBe('2026-12-12T10:00:00.000Z');
    expect(await dispatch('2026-12-12T10:00:00.000Z')).toMatchObject({ expired: 1, reminded: 0 });
    expect(invitations.invitations.get('inv-1')).toMatchObject({ status: 'expired' });
    expect(mailer.sent).toHaveLength(1);
  });

  it('sends a due invitation once, moves it to sent with its expiry, and is due again for the reminder', async () => {
    const { mail, invitations, mailer, dispatch } = given();
    mail.givenCustomer({ customerId: 'c-1', name: 'Ayşe', locale: 'tr' });
    invitations.givenInvitation({ invitationId: 'inv-1', customerId: 'c-1', sendAt: '2026-11-28T08:00:00.000Z' });

    const first = await dispatch('2026-11-28T10:00:00.000Z');
    const again = await dispatch('2026-11-28T10:00:00.000Z');

    expect(first).toMatchObject({ sent: 1, reminded: 0, expired: 0, deferred: 0, skipped: 0, failed: 0, more: false });
    expect(again).toMatchObject({ sent: 0, reminded: 0 });
    expect(mailer.sent).toHaveLength(1);
    expect(mailer.sent[0]!.subject).toContain('Acme');
    expect(mailer.sent[0]!.text).toContain('Sayın Ayşe');
    expect(mailer.sent[0]!.headers['List-Unsubscribe-Post']).toBe('List-Unsubscribe=One-Click');
    expect(invitations.invitations.get('inv-1')).toMatchObject({
      status: 'sent',
      sentAt: '2026-11-28T10:00:00.000Z',
      expiresAt: '2026-12-12T10:00:00.000Z',
    });
    expect(invitations.dueAt.get('inv-1')).toBe('2026-12-01T10:00:00.000Z');
    expect(mail.ledger.get(mail.ledgerKey('c-1', 'invitation', 'inv-1'))).toMatchObject({ status: 'sent' });
  });

  it('does not use up the appreciation emails’ frequency cap', async () => {
    const { mail, invitations, dispatch } = given();
    mail.givenCustomer({ customerId: 'c-1' });
    invitations.givenInvitation({ invitationId: 'inv-1', customerId: 'c-1', sendAt: '2026-11-28T08:00:00.000Z' });
    await dispatch('2026-11-28T10:00:00.000Z');
    expect(mail.mailState.get('c-1')).toBeUndefined();
  });

  it('holds invitations due at night until the send window opens in Tokyo and in Los Angeles', async () => {
    const { mail, invitations, mailer, dispatch } = given();
    mail.givenCustomer({ customerId: 'tokyo', timezone: 'Asia/Tokyo' });
    mail.givenCustomer({ customerId: 'la', timezone: 'America/Los_Angeles' });
    mail.givenCustomer({ customerId: 'default' }); // Istanbul, the config's zone: 17:00 there
    for (const id of ['tokyo', 'la', 'default'])
      invitations.givenInvitation({ invitationId: `inv-${id}`, customerId: id, sendAt: '2026-11-28T14:00:00.000Z' });

    // 14:00Z: 23:00 in Tokyo, 06:00 in Los Angeles.
    expect(await dispatch('2026-11-28T14:00:00.000Z')).toMatchObject({ sent: 1, deferred: 2 });
    expect(invitations.invitations.get('inv-tokyo')).toMatchObject({ status: 'scheduled', sendAt: '2026-11-29T00:00:00.000Z' });
    expect(invitations.invitations.get('inv-la')).toMatchObject({ status: 'scheduled', sendAt: '2026-11-28T17:00:00.000Z' });

    expect(await dispatch('2026-11-28T16:59:00.000Z')).toMatchObject({ sent: 0, deferred: 0 });
    expect(await dispatch('2026-11-28T17:00:00.000Z')).toMatchObject({ sent: 1 });
    expect(await dispatch('2026-11-29T00:00:00.000Z')).toMatchObject({ sent: 1 });
    expect(mailer.sent.map((e) => e.to)).toEqual(['default@example.com', 'la@example.com', 'tokyo@example.com']);
    expect(invitations.invitations.get('inv-tokyo')!.sentAt).toBe('2026-11-29T00:00:00.000Z');
  });

  it('reminds once after remindAfterDays with the same link, not after an answer, and expires the unanswered', async () => {
    const { mail, invitations, mailer, dispatch } = given();
    for (const id of ['c-1', 'c-2']) mail.givenCustomer({ customerId: id });
    invitations.givenInvitation({ invitationId: 'inv-1', customerId: 'c-1', sendAt: '2026-11-28T08:00:00.000Z' });
    invitations.givenInvitation({ invitationId: 'inv-2', customerId: 'c-2', sendAt: '2026-11-28T08:00:00.000Z' });
    await dispatch('2026-11-28T10:00:00.000Z');
    invitations.answer('inv-2', '2026-11-29T10:00:00.000Z');

    expect(await dispatch('2026-12-01T09:59:00.000Z')).toMatchObject({ reminded: 0 });
    expect(await dispatch('2026-12-01T10:00:00.000Z')).toMatchObject({ reminded: 1, sent: 0 });
    expect(await dispatch('2026-12-05T10:00:00.000Z')).toMatchObject({ reminded: 0 });
    const [invitation, reminder] = mailer.sent.filter((e) => e.to === 'c-1@example.com');
    expect(reminder!.subject).toMatch(/reminder/i);
    const link = /https:\/\/fb\.example\/s\/s-1\?t=[^&\s]+/.exec(invitation!.text)![0];
    expect(reminder!.text).toContain(`${link}&score=10`);
    expect(invitations.invitations.get('inv-1')).toMatchObject({ status: 'sent', remindedAt: '2026-12-01T10:00:00.000Z' });
    expect(invitations.dueAt.get('inv-1')).toBe('2026-12-12T10:00:00.000Z');

    expect(await dispatch('2026-12-12T10:00:00.000Z')).toMatchObject({ expired: 1, sent: 0, reminded: 0 });
    expect(invitations.invitations.get('inv-1')!.status).toBe('expired');
    expect(invitations.invitations.get('inv-2')!.status).toBe('answered');
    expect(invitations.dueAt.size).toBe(0);
    expect(mailer.sent).toHaveLength(3);
  });

  it('waits with a reminder due at night for the window, and skips one that could only go after the expiry', async () => {
    const { mail, invitations, mailer, ports } = given();
    invitations.surveys.set('s-1', { surveyId: 's-1', questions: ['csat'], invite: { remindAfterDays: 1, expiresInDays: 2 } });
    mail.givenCustomer({ customerId: 'c-1', timezone: 'Asia/Tokyo' });
    invitations.givenInvitation({ invitationId: 'inv-1', customerId: 'c-1', sendAt: '2026-11-28T00:00:00.000Z' });
    await dispatchDue(ports, ms('2026-11-28T10:00:00.000Z'), Date.now() + 60_000); // 19:00 in Tokyo
    // The reminder falls due at 19:00 the next day, then expiry at 19:00 the day after; dispatches only at night.
    expect(await dispatchDue(ports, ms('2026-11-29T14:00:00.000Z'), Date.now() + 60_000)).toMatchObject({ deferred: 1 });
    expect(invitations.dueAt.get('inv-1')).toBe('2026-11-30T00:00:00.000Z');
    expect(await dispatchDue(ports, ms('2026-11-30T00:00:00.000Z'), Date.now() + 60_000)).toMatchObject({ reminded: 1 });
    expect(mailer.sent).toHaveLength(2);
    expect(mailer.sent[1]!.text).toContain('&score=5');
  });

  it('skips, with the reason, what the contact rules no longer allow at send time', async () => {
    const { mail, invitations, mailer, dispatch } = given();
    mail.givenCustomer({ customerId: 'out', unsubscribed: true });
    mail.givenCustomer({ customerId: 'bounced', suppressed: true });
    mail.givenCustomer({ customerId: 'ok' });
    for (const id of ['out', 'bounced', 'gone', 'ok'])
      invitations.givenInvitation({ invitationId: `inv-${id}`, customerId: id, sendAt: '2026-11-28T08:00:00.000Z' });
    invitations.givenInvitation({
      invitationId: 'inv-nosurvey',
      customerId: 'ok',
      surveyId: 's-gone',
      sendAt: '2026-11-28T08:00:00.000Z',
    });

    expect(await dispatch('2026-11-28T10:00:00.000Z')).toMatchObject({ sent: 1, skipped: 4 });
    expect(mailer.sent.map((e) => e.to)).toEqual(['ok@example.com']);
    const reasons = Object.fromEntries(
      [...invitations.invitations.values()].map((i) => [i.invitationId, [i.status, i.reason].filter(Boolean).join(':')]),
    );
    expect(reasons).toEqual({
      'inv-out': 'skipped:unsubscribed',
      'inv-bounced': 'skipped:suppressed',
      'inv-gone': 'skipped:unknownCustomer',
      'inv-ok': 'sent',
      'inv-nosurvey': 'skipped:unknownSurvey',
    });
  });

  it('loses nothing when SES throttles: the dispatch stops, the rest stays due, the next one sends it once', async () => {
    let throttled = 0;
    const { mail, invitations, mailer, dispatch } = given((_email, sent) => {
      if (sent.length === 2 && throttled++ === 0) throw new SendDeferred('throttled', 1000);
    });
    for (let i = 0; i < 5; i++) {
      mail.givenCustomer({ customerId: `c-${i}` });
      invitations.givenInvitation({ invitationId: `inv-${i}`, customerId: `c-${i}`, sendAt: '2026-11-28T08:00:00.000Z' });
    }
    const first = await dispatch('2026-11-28T10:00:00.000Z');
    expect(first).toMatchObject({ stopped: 'throttled', more: true });
    expect(first.sent).toBeLessThan(5);
    const second = await dispatch('2026-11-28T10:05:00.000Z');
    expect(first.sent + second.sent).toBe(5);
    expect(new Set(mailer.sent.map((e) => e.to)).size).toBe(5);
    expect(mailer.sent).toHaveLength(5);
    expect([...invitations.invitations.values()].every((i) => i.status === 'sent')).toBe(true);
  });

  it('stops when SES refuses the account, giving the claim back: nothing is lost or sent twice', async () => {
    let blocked = true;
    const { mail, invitations, mailer, dispatch } = given(() => {
      if (blocked) throw new SendBlocked('AccessDenied', 'no');
    });
    mail.givenCustomer({ customerId: 'c-1' });
    invitations.givenInvitation({ invitationId: 'inv-1', customerId: 'c-1', sendAt: '2026-11-28T08:00:00.000Z' });
    expect(await dispatch('2026-11-28T10:00:00.000Z')).toMatchObject({ stopped: 'blocked', sent: 0 });
    expect(invitations.invitations.get('inv-1')!.status).toBe('scheduled');
    expect(mail.ledger.size).toBe(0);
    blocked = false;
    expect(await dispatch('2026-11-28T10:05:00.000Z')).toMatchObject({ sent: 1 });
    expect(mailer.sent).toHaveLength(1);
  });

  it('marks an invitation SES refused for good as failed, and sends a customer’s two invitations in one dispatch', async () => {
    const { mail, invitations, mailer, dispatch } = given((email) => {
      if (email.to === 'bad@example.com') throw new SendFailed('MessageRejected');
    });
    invitations.surveys.set('s-2', { surveyId: 's-2', questions: ['ces'] });
    mail.givenCustomer({ customerId: 'c-1' });
    mail.givenCustomer({ customerId: 'bad' });
    invitations.givenInvitation({ invitationId: 'inv-bad', customerId: 'bad', sendAt: '2026-11-28T08:00:00.000Z' });
    invitations.givenInvitation({ invitationId: 'inv-a', customerId: 'c-1', sendAt: '2026-11-28T08:00:00.000Z' });
    invitations.givenInvitation({
      invitationId: 'inv-b',
      customerId: 'c-1',
      surveyId: 's-2',
      sendAt: '2026-11-28T08:00:00.000Z',
    });
    expect(await dispatch('2026-11-28T10:00:00.000Z')).toMatchObject({ sent: 2, failed: 1 });
    expect(mailer.sent).toHaveLength(2);
    expect(invitations.invitations.get('inv-bad')).toMatchObject({ status: 'failed', reason: 'sendFailed' });
    expect(await dispatch('2026-11-28T10:05:00.000Z')).toMatchObject({ sent: 0, failed: 0 });
    expect(invitations.dueAt.get('inv-b')).toBe('2026-12-12T10:00:00.000Z'); // no reminder: due at expiry
  });

  it('concurrent and repeated dispatches send each invitation once', async () => {
    const { mail, invitations, mailer, ports } = given();
    for (let i = 0; i < 30; i++) {
      mail.givenCustomer({ customerId: `c-${i}` });
      invitations.givenInvitation({ invitationId: `inv-${i}`, customerId: `c-${i}`, sendAt: '2026-11-28T08:00:00.000Z' });
    }
    for (let round = 0; round < 3; round++) {
      const results = await Promise.all(
        Array.from({ length: 10 }, () => dispatchDue(ports, ms('2026-11-28T10:00:00.000Z'), Date.now() + 60_000)),
      );
      if (round === 0) expect(results.reduce((n, r) => n + r.sent, 0)).toBe(30);
    }
    expect(mailer.sent).toHaveLength(30);
    expect(new Set(mailer.sent.map((e) => e.to)).size).toBe(30);
  });
});
