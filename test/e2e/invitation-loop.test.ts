import { beforeAll, describe, expect, it } from 'vitest';
import { header, sentTo, type StoredEmail } from '../support/appreciation.ts';
import { useApi } from '../support/api.ts';
import { bearer, givenKey } from '../support/api-keys.ts';
import { useBrowser } from '../support/browser.ts';
import { aCustomer, uniqueId } from '../support/factories.ts';
import { useScoringStack, within } from '../support/scoring-stack.ts';

/**
 * Issue 9's whole loop through the HTTP API, on the local stack as `npm start` runs it (DynamoDB Local, the local
 * SES, the scorer fed from the table's stream): event → dispatch → the email in the local SES → its one-click link
 * in Chromium → Send → `answered` → no reminder, and the response rate in the scores. Then an unsubscribe through
 * the email's List-Unsubscribe link, and the send window for Tokyo and Los Angeles in one dispatch.
 * Events happen now (an invitation is never due before its event is reported); dispatches are as of instants of
 * day D, tomorrow, so the reminder four days later is within the 30 days a dispatch accepts, and the scores for D
 * may be asked today.
 */
const scoring = useScoringStack();
const api = useApi();
const browser = useBrowser();

const DAY_MS = 86_400_000;
const D = new Date(Date.now() + DAY_MS).toISOString().slice(0, 10);
const dayAfter = (days: number) => new Date(Date.parse(`${D}T00:00:00.000Z`) + days * DAY_MS).toISOString().slice(0, 10);

/**
 * One survey per test, each asked after its own event type (an event invites to every survey it triggers, the
 * throttle keeping one), all put before the first event: the events handler caches the survey list for 30 s.
 */
const EVENT_TYPES = { loop: 'purchase', unsubscribe: 'renewal', window: 'signup' } as const;
const surveys = {} as Record<keyof typeof EVENT_TYPES, string>;
beforeAll(async () => {
  const questions = { loop: ['nps', 'comment'], unsubscribe: ['csat'], window: ['nps'] };
  for (const test of ['loop', 'unsubscribe', 'window'] as const) {
    const surveyId = uniqueId('s-loop');
    const invite = { on: [EVENT_TYPES[test]], delayHours: 0, remindAfterDays: 3, expiresInDays: 14 };
    const res = await api.request('PUT', `/v1/surveys/${surveyId}`, {
      admin: true,
      body: { name: 'After your order', questions: questions[test], invite },
    });
    expect(res.status).toBe(200);
    surveys[test] = surveyId;
  }
});

/** An event reported now with an `ingest` key, creating the customer: answers the invitation it scheduled. */
async function event(test: keyof typeof EVENT_TYPES, customer: Record<string, unknown>) {
  const { secret } = await givenKey(api, ['ingest']);
  const customerId = uniqueId('c-loop');
  const res = await api.request('POST', '/v1/events', {
    headers: bearer(secret),
    body: { eventId: uniqueId('ord'), customerId, type: EVENT_TYPES[test], customer: aCustomer(customer) },
  });
  expect(res.status).toBe(201);
  // delayHours 0: due as the event happened.
  expect(res.body.invitations).toEqual([
    { invitationId: expect.any(String), surveyId: surveys[test], sendAt: res.body.occurredAt },
  ]);
  const email = (await api.request('GET', `/v1/customers/${customerId}`, { admin: true })).body.customer.email as string;
  return { customerId, email, invitationId: res.body.invitations[0].invitationId as string };
}

const dispatch = async (at: string) => {
  const res = await api.request('POST', '/v1/invitations/dispatch', { admin: true, body: { at } });
  expect(res.status).toBe(200);
  return res.body as Record<'sent' | 'reminded' | 'expired' | 'deferred' | 'skipped' | 'failed', number>;
};

async function invitationsOf(surveyId: string, readKey: string) {
  const res = await api.request('GET', `/v1/surveys/${surveyId}/invitations`, { headers: bearer(readKey) });
  expect(res.status).toBe(200);
  return res.body.items as Array<Record<string, string>>;
}

/** The one-click answer links of an email's text part: score → URL. */
function oneClickLinks(email: StoredEmail, surveyId: string) {
  const pattern = new RegExp(`${api.url}/s/${surveyId}\\?t=[^&\\s]+&score=(\\d+)`, 'g');
  return new Map([...email.body.text!.matchAll(pattern)].map((m) => [Number(m[1]), m[0]]));
}

describe('the invitation loop on the local stack', { timeout: 60_000 }, () => {
  it('event → dispatch → email → one-click page → Send → answered → no reminder; the response rate is 100 %', async () => {
    const surveyId = surveys.loop;
    const { secret: readKey } = await givenKey(api, ['read']);
    const ayse = await event('loop', { name: 'Ayşe', locale: 'tr', timezone: 'Europe/Istanbul' });

    // 12:00Z is 15:00 in Istanbul: inside the send window.
    expect(await dispatch(`${D}T12:00:00.000Z`)).toMatchObject({ sent: 1, deferred: 0, failed: 0 });
    const [email, ...others] = await sentTo(ayse.email);
    expect(others).toEqual([]);
    expect(email!.subject).toMatch(/^Görüşünüz bizim için önemli – /);
    expect(email!.body.text).toContain('Ayşe');
    expect(header(email!, 'List-Unsubscribe')).toMatch(new RegExp(`^<${api.url}/v1/unsubscribe\\?token=[^>]+>$`));
    const links = oneClickLinks(email!, surveyId);
    expect([...links.keys()]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]); // NPS, the survey's first scale question
    const sent = await invitationsOf(surveyId, readKey);
    expect(sent).toEqual([
      expect.objectContaining({ invitationId: ayse.invitationId, status: 'sent', sentAt: `${D}T12:00:00.000Z` }),
    ]);

    // The hosted page from the email, in an English browser: Turkish (the profile's), 9 preselected; Send.
    const { page, errors } = await browser.open(api.url, { extraHTTPHeaders: { 'accept-language': 'en-US,en;q=0.9' } });
    await page.goto(links.get(9)!);
    expect(await page.getAttribute('html', 'lang')).toBe('tr');
    expect(await page.locator('input:checked').evaluateAll((inputs) => inputs.map((i) => (i as HTMLInputElement).value))).toEqual(
      ['9'],
    );
    await page.getByRole('button', { name: 'Gönder' }).click();
    await page.getByRole('heading', { name: 'Teşekkür ederiz!' }).waitFor();
    expect(errors).toEqual([]);

    // The scorer, fed from the stream, marks it answered.
    const answered = await within(
      30_000,
      () => invitationsOf(surveyId, readKey),
      (items) => items[0]?.status === 'answered',
    );
    expect(answered.value[0]).toMatchObject({ status: 'answered', answeredAt: expect.any(String) });
    expect(answered.value[0]).not.toHaveProperty('remindedAt');

    // Four days later the reminder would be due: answered, none is sent.
    expect(await dispatch(`${dayAfter(4)}T12:00:00.000Z`)).toMatchObject({ reminded: 0, sent: 0 });
    expect(await sentTo(ayse.email)).toEqual([email]);

    const scores = await within(
      30_000,
      () => api.request('GET', `/v1/surveys/${surveyId}/scores?from=${D}&to=${D}&interval=total`, { admin: true }),
      (r) => r.body.total?.invitations?.answered === 1,
    );
    expect(scores.value.body.total.invitations).toEqual({ sent: 1, answered: 1, responseRate: 100 });
    const responses = await api.request('GET', `/v1/surveys/${surveyId}/responses`, { admin: true });
    expect(responses.body.items).toEqual([expect.objectContaining({ customerId: ayse.customerId, nps: 9 })]);
    await scoring.drained();
  });

  it('an unsubscribe through the email’s List-Unsubscribe link skips the later reminder; others are reminded', async () => {
    const surveyId = surveys.unsubscribe;
    const { secret: readKey } = await givenKey(api, ['read']);
    const leaving = await event('unsubscribe', { name: 'Lee', locale: 'en', timezone: 'UTC' });
    const staying = await event('unsubscribe', { name: 'Sam', locale: 'en', timezone: 'UTC' });
    expect(await dispatch(`${D}T12:00:00.000Z`)).toMatchObject({ sent: 2 });
    const [invitation] = await sentTo(leaving.email);

    // The one-click unsubscribe (RFC 8058) a mail client sends to the header's URL.
    const url = /^<([^>]+)>$/.exec(header(invitation!, 'List-Unsubscribe')!)![1]!;
    expect(header(invitation!, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    const unsubscribe = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(unsubscribe.status).toBe(200);
    expect((await api.request('GET', `/v1/customers/${leaving.customerId}`, { admin: true })).body.customer.unsubscribed).toBe(
      true,
    );

    expect(await dispatch(`${dayAfter(4)}T12:00:00.000Z`)).toMatchObject({ reminded: 1 });
    expect(await sentTo(leaving.email)).toEqual([invitation]);
    const reminders = await sentTo(staying.email);
    expect(reminders.map((e) => e.subject)).toEqual([
      expect.stringMatching(/^Your opinion matters to us/),
      expect.stringMatching(/^A reminder: your opinion matters to us/),
    ]);
    const items = new Map((await invitationsOf(surveyId, readKey)).map((i) => [i.customerId, i]));
    expect(items.get(leaving.customerId)).toMatchObject({ status: 'sent' });
    expect(items.get(leaving.customerId)).not.toHaveProperty('remindedAt');
    expect(items.get(staying.customerId)).toMatchObject({ status: 'sent', remindedAt: `${dayAfter(4)}T12:00:00.000Z` });
  });

  it('one dispatch for Tokyo and Los Angeles sends the one inside its window and defers the other to its morning', async () => {
    const surveyId = surveys.window;
    const { secret: readKey } = await givenKey(api, ['read']);
    const tokyo = await event('window', { name: 'Yuki', locale: 'en', timezone: 'Asia/Tokyo' });
    const la = await event('window', { name: 'Sam', locale: 'en', timezone: 'America/Los_Angeles' });

    // 23:00Z is 08:00 in Tokyo (before 09:00) and 15:00 or 16:00 in Los Angeles (PST or PDT).
    expect(await dispatch(`${D}T23:00:00.000Z`)).toMatchObject({ sent: 1, deferred: 1 });
    expect(await sentTo(la.email)).toHaveLength(1);
    expect(await sentTo(tokyo.email)).toEqual([]);
    const waiting = (await invitationsOf(surveyId, readKey)).find((i) => i.customerId === tokyo.customerId);
    expect(waiting).toMatchObject({ status: 'scheduled', sendAt: `${dayAfter(1)}T00:00:00.000Z` });

    // Tokyo's 09:00: it goes out then, and Los Angeles gets nothing more.
    expect(await dispatch(`${dayAfter(1)}T00:00:00.000Z`)).toMatchObject({ sent: 1, deferred: 0 });
    expect(await sentTo(tokyo.email)).toHaveLength(1);
    expect(await sentTo(la.email)).toHaveLength(1);
    const items = await invitationsOf(surveyId, readKey);
    expect(items.map((i) => i.status)).toEqual(['sent', 'sent']);
  });
});
