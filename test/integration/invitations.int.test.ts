import { describe, expect, it } from 'vitest';
import { newId } from '../../functions/core/ids.ts';
import type { Mailer } from '../../functions/core/mail/ports.ts';
import { parseKeyring, verifyToken } from '../../functions/core/tokens.ts';
import { unsubscribeCustomer } from '../../functions/data/mail-ledger.ts';
import { queryCustomerPartition } from '../../functions/data/customers.ts';
import { getInvitations, markInvitationAnswered, scheduleInvitations } from '../../functions/data/invitations.ts';
import { dynamoMailStore } from '../../functions/data/mail-ledger.ts';
import { keys } from '../../functions/data/keys.ts';
import { sesMailer } from '../../functions/data/mailer.ts';
import { putSurvey } from '../../functions/data/surveys.ts';
import { dispatchDue } from '../../functions/dispatch-invitations/dispatch.ts';
import { INVITATION_RULES } from '../../functions/dispatch-invitations/invitation-email.ts';
import type { DispatchPorts } from '../../functions/dispatch-invitations/ports.ts';
import { dynamoInvitationStore } from '../../functions/dispatch-invitations/store.ts';
import { sesClient } from '../../functions/runtime/ses-client.ts';
import { TEST_KEYRING } from '../setup-env.ts';
import { getItem } from '../support/api.ts';
import { appreciationDb, givenCustomer, header, instantClock, sentTo } from '../support/appreciation.ts';
import { uniqueId } from '../support/factories.ts';

const db = appreciationDb();
const BASE = 'https://feedback.example.com';
const DAY_MS = 86_400_000;
const ring = parseKeyring(JSON.stringify(TEST_KEYRING));

/** Tomorrow (UTC) as this file is loaded: one day for all its tests, even if the run goes past midnight. */
const TOMORROW_MS = Date.parse(`${new Date(Date.now() + DAY_MS).toISOString().slice(0, 10)}T00:00:00.000Z`);
/** Tomorrow (UTC) at this hour: inside the ±30 days a dispatch accepts, and the same for every run of the tests. */
const tomorrowAt = (hhmm: string, plusDays = 0) => {
  const day = new Date(TOMORROW_MS + plusDays * DAY_MS).toISOString().slice(0, 10);
  return `${day}T${hhmm}:00.000Z`;
};

function ports(send?: Mailer): DispatchPorts {
  return {
    invitations: dynamoInvitationStore(db),
    mail: dynamoMailStore(db),
    send: send ?? sesMailer({ client: sesClient(), from: 'feedback@example.com', maxSendRate: 200, clock: instantClock }),
    keyring: async () => ring,
    now: () => Date.now(),
    settings: {
      timeZone: 'UTC',
      sendWindow: { from: '09:00', to: '20:00' },
      brand: { name: 'Acme', logoUrl: 'https://cdn.example/acme.png', color: '#3949ab' },
      maxSendRate: 200,
    },
    linkBaseUrl: BASE,
  };
}

const dispatch = (at: string, p = ports()) => dispatchDue(p, Date.parse(at), Date.now() + 60_000);

async function givenSurvey(invite: { remindAfterDays: number; expiresInDays: number }, questions = ['nps', 'comment']) {
  const surveyId = uniqueId('s');
  await putSurvey(
    db,
    surveyId,
    {
      name: 'After purchase',
      questions,
      anonymous: false,
      recontactDays: 0,
      segmentBy: [],
      invite: { on: [], delayHours: 0, sampleRate: 1, everyDays: 0, ...invite },
    } as Parameters<typeof putSurvey>[2],
    new Date().toISOString(),
  );
  return surveyId;
}

async function givenInvitation(surveyId: string, customerId: string, sendAt: string) {
  const invitationId = newId();
  expect(
    await scheduleInvitations(db, customerId, [{ invitationId, surveyId, customerId, trigger: 'manual', sendAt }], {
      now: new Date().toISOString(),
      throttleDays: 0,
    }),
  ).toBe(true);
  return invitationId;
}

const invitation = async (id: string) => (await getInvitations(db, [id]))[0]!;

describe('the invitation dispatcher against DynamoDB Local and the local SES', () => {
  it('sends each due invitation once, in the customer’s language, with one-click answers and unsubscribe headers', async () => {
    const surveyId = await givenSurvey({ remindAfterDays: 3, expiresInDays: 14 });
    const ayse = await givenCustomer(db, { name: 'Ayşe', locale: 'tr-TR' });
    const milan = await givenCustomer(db, { name: 'Милан', locale: 'sr' });
    const mari = await givenCustomer(db, { name: 'Mari', locale: 'et' });
    const out = await givenCustomer(db, { name: 'Out', locale: 'en' });
    const sendAt = tomorrowAt('10:00');
    const ids = new Map<string, string>();
    for (const c of [ayse, milan, mari, out]) ids.set(c.email, await givenInvitation(surveyId, c.customerId, sendAt));
    await unsubscribeCustomer(db, out.customerId, new Date().toISOString()); // after scheduling: checked again at send

    await dispatch(tomorrowAt('12:00'));
    await dispatch(tomorrowAt('12:00'));

    const emails = await sentTo(ayse.email, milan.email, mari.email, out.email);
    expect(emails.map((e) => e.destination.to[0]).sort()).toEqual([ayse.email, milan.email, mari.email].sort());
    const byRecipient = Object.fromEntries(emails.map((e) => [e.destination.to[0]!, e]));
    expect(byRecipient[ayse.email]!.subject).toBe('Görüşünüz bizim için önemli – Acme');
    expect(byRecipient[milan.email]!.subject).toBe('Ваше мишљење нам је важно – Acme');
    expect(byRecipient[mari.email]!.body.text).toContain('Hea Mari!');
    for (const email of emails) {
      expect(header(email, 'List-Unsubscribe')).toMatch(/^<https:\/\/feedback\.example\.com\/v1\/unsubscribe\?token=[^>]+>$/);
      expect(header(email, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
      expect(email.body.html).toContain('https:&#x2F;&#x2F;cdn.example&#x2F;acme.png');
      const link = new RegExp(`${BASE}/s/${surveyId}\\?t=([^&\\s]+)&score=7`).exec(email.body.text!);
      expect(link).not.toBeNull();
      const claims = verifyToken(ring, decodeURIComponent(link![1]!), 'survey', Date.now());
      expect(claims).toMatchObject({ surveyId, invitationId: ids.get(email.destination.to[0]!) });
    }

    const sent = await invitation(ids.get(ayse.email)!);
    expect(sent).toMatchObject({ status: 'sent', sentAt: tomorrowAt('12:00'), expiresAt: tomorrowAt('12:00', 14) });
    expect(await invitation(ids.get(out.email)!)).toMatchObject({ status: 'skipped', reason: 'unsubscribed' });
    const ledger = await queryCustomerPartition(db, ayse.customerId, 'EMAIL#');
    expect(ledger).toHaveLength(1);
    expect(ledger[0]).toMatchObject({ campaignId: 'invitation', period: ids.get(ayse.email), status: 'sent' });
    // Outside the appreciation emails' cap group: the claim windows are not touched.
    const mailState = keys.mailState(ayse.customerId);
    expect(await getItem(mailState.pk, mailState.sk)).toBeUndefined();
  });

  it('skips an invitation to an address another customer unsubscribed, and leaves the due index', async () => {
    const surveyId = await givenSurvey({ remindAfterDays: 3, expiresInDays: 14 });
    const first = await givenCustomer(db, { locale: 'en' });
    expect(await unsubscribeCustomer(db, first.customerId, new Date().toISOString())).toBe(true);
    // Created after the opt-out: its own item says nothing of it, the address does.
    const second = await givenCustomer(db, { email: first.email, locale: 'en' });
    const invitationId = await givenInvitation(surveyId, second.customerId, tomorrowAt('10:00'));

    const result = await dispatch(tomorrowAt('12:00'));

    expect(result.skipped).toBeGreaterThanOrEqual(1); // other tests' invitations may be due at the same instant
    expect(await invitation(invitationId)).toMatchObject({ status: 'skipped', reason: 'unsubscribed' });
    expect((await getItem(keys.invitation(invitationId).pk, keys.invitation(invitationId).sk))!.gsi3pk).toBeUndefined();
    expect(await sentTo(first.email)).toEqual([]);
  });

  it('fails an invitation whose claim a dead dispatch left without an outcome, and leaves a live claim to its dispatch', async () => {
    const surveyId = await givenSurvey({ remindAfterDays: 3, expiresInDays: 14 });
    const [stranded, busy] = [await givenCustomer(db, { locale: 'en' }), await givenCustomer(db, { locale: 'en' })];
    const sendAt = tomorrowAt('10:00');
    const [strandedId, busyId] = [
      await givenInvitation(surveyId, stranded.customerId, sendAt),
      await givenInvitation(surveyId, busy.customerId, sendAt),
    ];
    // Claims by other dispatches: one 30 minutes ago that never got an outcome (it died), one a minute ago (sending).
    const claim = (customer: typeof stranded, period: string, agoMs: number) =>
      dynamoMailStore(db).claim({
        customerId: customer.customerId,
        stream: INVITATION_RULES.stream,
        period,
        runId: uniqueId('dead-run'),
        email: customer.email,
        rules: INVITATION_RULES,
        runDate: sendAt.slice(0, 10),
        subject: 'Your opinion matters',
        language: 'en',
        now: new Date(Date.now() - agoMs).toISOString(),
      });
    expect(await claim(stranded, strandedId, 30 * 60_000)).toBe(true);
    expect(await claim(busy, busyId, 60_000)).toBe(true);

    const result = await dispatch(tomorrowAt('12:00'));

    expect(result.failed).toBeGreaterThanOrEqual(1); // other tests' invitations may be due at the same instant
    // The email may have gone out: it is not sent again, and the invitation leaves the due index as failed.
    expect(await invitation(strandedId)).toMatchObject({ status: 'failed', reason: 'sendOutcomeUnknown' });
    expect((await getItem(keys.invitation(strandedId).pk, keys.invitation(strandedId).sk))!.gsi3pk).toBeUndefined();
    // If the email did go out, an answer through its link still closes it, and it counts as sent by then.
    const answeredAt = new Date().toISOString();
    const ids = { invitationId: strandedId, surveyId, customerId: stranded.customerId };
    expect(await markInvitationAnswered(db, { ...ids, answeredAt })).toBe(true);
    expect(await invitation(strandedId)).toMatchObject({ status: 'answered', answeredAt, sentAt: answeredAt });
    expect(await markInvitationAnswered(db, { ...ids, answeredAt })).toBe(false); // once
    // The live claim's dispatch moves its invitation on: it stays scheduled and due.
    expect(await invitation(busyId)).toMatchObject({ status: 'scheduled' });
    expect(await sentTo(stranded.email, busy.email)).toEqual([]);
  });

  it('waits for the send window in Tokyo and Phoenix, reminds after the days set, expires the unanswered', async () => {
    const surveyId = await givenSurvey({ remindAfterDays: 3, expiresInDays: 14 }, ['csat']);
    const tokyo = await givenCustomer(db, { name: 'Yuki', locale: 'en', timezone: 'Asia/Tokyo' });
    // A zone west of UTC without daylight saving time (Arizona keeps MST, UTC−7, all year), so the instants below hold
    // on every date the test runs; Los Angeles's two offsets are in the unit tests and the e2e invitation loop.
    const phoenix = await givenCustomer(db, { name: 'Sam', locale: 'en', timezone: 'America/Phoenix' });
    const tokyoInv = await givenInvitation(surveyId, tokyo.customerId, tomorrowAt('14:00'));
    const phoenixInv = await givenInvitation(surveyId, phoenix.customerId, tomorrowAt('14:00'));

    // 14:00Z is 23:00 in Tokyo and 07:00 in Phoenix: both before their 09:00.
    await dispatch(tomorrowAt('14:00'));
    expect(await sentTo(tokyo.email, phoenix.email)).toHaveLength(0);
    expect(await invitation(tokyoInv)).toMatchObject({ status: 'scheduled', sendAt: tomorrowAt('00:00', 1) });
    expect(await invitation(phoenixInv)).toMatchObject({ status: 'scheduled', sendAt: tomorrowAt('16:00') });

    await dispatch(tomorrowAt('16:00'));
    expect((await sentTo(tokyo.email, phoenix.email)).map((e) => e.destination.to[0])).toEqual([phoenix.email]);
    await dispatch(tomorrowAt('00:00', 1));
    expect(await sentTo(tokyo.email)).toHaveLength(1);

    // Phoenix's reminder falls due three days after 16:00Z (09:00 there): sent then, once, with the same link.
    await dispatch(tomorrowAt('16:00', 3));
    await dispatch(tomorrowAt('16:00', 3));
    const toPhoenix = await sentTo(phoenix.email);
    expect(toPhoenix).toHaveLength(2);
    const linkOf = (text: string) => /https:\/\/\S+\?t=[^&\s]+/.exec(text)![0];
    expect(linkOf(toPhoenix[1]!.body.text!)).toBe(linkOf(toPhoenix[0]!.body.text!));
    expect(toPhoenix[1]!.body.text).toContain('&score=5');
    expect(await invitation(phoenixInv)).toMatchObject({ status: 'sent', remindedAt: tomorrowAt('16:00', 3) });

    await dispatch(tomorrowAt('16:00', 14));
    expect(await invitation(phoenixInv)).toMatchObject({ status: 'expired' });
    expect(await sentTo(phoenix.email)).toHaveLength(2);
    // The open slot is free again: the customer may be invited to this survey anew.
    const state = await getItem(keys.inviteState(phoenix.customerId).pk, keys.inviteState(phoenix.customerId).sk);
    expect(state?.[`open:${surveyId}`]).toBeUndefined();
  });

  it('10 concurrent dispatchers, replayed 3 times, send every invitation exactly once', async () => {
    const surveyId = await givenSurvey({ remindAfterDays: 0, expiresInDays: 7 });
    const customers = await Promise.all(Array.from({ length: 20 }, () => givenCustomer(db, { locale: 'en' })));
    const ids = await Promise.all(customers.map((c) => givenInvitation(surveyId, c.customerId, tomorrowAt('09:30'))));

    for (let round = 0; round < 3; round++) {
      await Promise.all(Array.from({ length: 10 }, () => dispatch(tomorrowAt('10:00'))));
    }

    const emails = await sentTo(...customers.map((c) => c.email));
    expect(emails).toHaveLength(20);
    expect(new Set(emails.map((e) => e.destination.to[0])).size).toBe(20);
    const stored = await getInvitations(db, ids);
    expect(stored.every((i) => i.status === 'sent')).toBe(true);
  }, 120_000);
});
