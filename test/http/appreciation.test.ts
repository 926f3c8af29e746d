import { describe, expect, it } from 'vitest';
import { addDays } from '../../functions/core/dates.ts';
import { aCustomer, givenSurvey, uniqueId } from '../support/factories.ts';
import { useApi } from '../support/api.ts';
import { asOfToday } from '../support/days.ts';
import { header, sentTo } from '../support/appreciation.ts';

const api = useApi();

/** Runs take dates from today − 30 to today + 1 (UTC); each test reads its own days' partitions. */
const daysFromToday = (days: number) => addDays(new Date().toISOString().slice(0, 10), days);

async function givenPromoter(surveyId: string, submittedAt: string, customer: Record<string, unknown> = {}) {
  const customerId = uniqueId('c');
  const email = `${customerId}@example.com`;
  const put = await api.request('PUT', `/v1/customers/${customerId}`, {
    admin: true,
    body: aCustomer({ email, birthday: undefined, ...customer }),
  });
  expect(put.status).toBe(200);
  await answer(surveyId, customerId, submittedAt);
  return { customerId, email };
}

async function answer(surveyId: string, customerId: string, submittedAt: string) {
  const res = await api.request('POST', '/v1/responses', { admin: true, body: { surveyId, customerId, nps: 10, submittedAt } });
  expect(res.status).toBe(201);
}

describe('POST /v1/campaigns/{campaignId}/runs', () => {
  it('answers 404 for an unknown campaign, 400 for a bad date, 401 without the admin token', async () => {
    expect((await api.request('POST', '/v1/campaigns/newsletter/runs', { admin: true, body: {} })).body.error.code).toBe(
      'not_found',
    );
    const badDate = await api.request('POST', '/v1/campaigns/birthday/runs', { admin: true, body: { date: '2026-02-30' } });
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.issues[0].path).toBe('date');
    // The edges of the range, as of the day the server reads (again on the new day, should the check cross 00:00 UTC).
    await asOfToday(async (today) => {
      for (const date of ['2999-01-01', addDays(today, 2), addDays(today, -31)]) {
        const outOfRange = await api.request('POST', '/v1/campaigns/birthday/runs', {
          admin: true,
          body: { date, dryRun: true },
        });
        expect(outOfRange.status).toBe(400);
        expect(outOfRange.body.error.code).toBe('validation_failed');
        expect(outOfRange.body.error.issues[0].path).toBe('date');
      }
      for (const date of [addDays(today, 1), addDays(today, -30)]) {
        expect(
          (await api.request('POST', '/v1/campaigns/birthday/runs', { admin: true, body: { date, dryRun: true } })).status,
        ).toBe(200);
      }
    });
    expect((await api.request('POST', '/v1/campaigns/birthday/runs', { admin: true, body: { dryRun: 'yes' } })).status).toBe(400);
    expect((await api.request('POST', '/v1/campaigns/birthday/runs', { body: {} })).status).toBe(401);
    expect((await api.request('GET', '/v1/campaigns/birthday/runs/01ARZ3NDEKTSV4RRFFQ69G5FAV', { admin: true })).status).toBe(
      404,
    );
  });
});

describe('appreciation over HTTP, as a user would', () => {
  it('runs a campaign, and one click on the unsubscribe link stops the next one', async () => {
    const surveyId = await givenSurvey(api);
    const date = daysFromToday(-20); // and a second run on today − 10
    const c = await givenPromoter(surveyId, `${addDays(date, -1)}T10:00:00Z`, { name: 'Ayşe', locale: 'tr' });

    const run = await api.request('POST', '/v1/campaigns/promoter-thanks/runs', { admin: true, body: { date } });
    expect(run.status).toBe(200);
    expect(run.body).toMatchObject({ campaignId: 'promoter-thanks', date, dryRun: false, status: 'done', selected: 1, sent: 1 });
    const progress = await api.request('GET', `/v1/campaigns/promoter-thanks/runs/${run.body.runId}`, { admin: true });
    expect(progress.body).toMatchObject({ runId: run.body.runId, status: 'done', sent: 1, skipped: { unsubscribed: 0 } });

    const [email] = await sentTo(c.email);
    expect(email!.subject).toBe('Güzel sözleriniz için teşekkürler, Ayşe');
    const link = /^<(.+)>$/.exec(header(email!, 'List-Unsubscribe')!)![1]!;
    const path = link.slice(new URL(link).origin.length);
    expect(path).toMatch(/^\/v1\/unsubscribe\?token=/);

    const page = await api.request('GET', path);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).toContain('<form method="post"');
    expect(page.text).toContain('Abonelikten çık');
    const stillSubscribed = await api.request('GET', `/v1/customers/${c.customerId}`, { admin: true });
    expect(stillSubscribed.body.customer.unsubscribed).toBe(false);
    expect(stillSubscribed.body.emails).toEqual([
      expect.objectContaining({ campaignId: 'promoter-thanks', status: 'sent', subject: email!.subject }),
    ]);

    const oneClick = { body: 'List-Unsubscribe=One-Click', headers: { 'content-type': 'application/x-www-form-urlencoded' } };
    expect((await api.request('POST', path, oneClick)).status).toBe(200);
    expect((await api.request('POST', path, oneClick)).status).toBe(200); // idempotent
    const unsubscribed = await api.request('GET', `/v1/customers/${c.customerId}`, { admin: true });
    expect(unsubscribed.body.customer.unsubscribed).toBe(true);
    expect((await api.request('GET', path)).text).toContain('Abonelikten çıktınız');

    await answer(surveyId, c.customerId, `${addDays(date, 9)}T10:00:00Z`);
    const next = await api.request('POST', '/v1/campaigns/promoter-thanks/runs', {
      admin: true,
      body: { date: addDays(date, 10) },
    });
    expect(next.body).toMatchObject({ selected: 1, sent: 0, skipped: { unsubscribed: 1 } });
    expect(await sentTo(c.email)).toHaveLength(1);
  });

  it('the page’s own button unsubscribes too and answers with the localised confirmation', async () => {
    const surveyId = await givenSurvey(api);
    const date = daysFromToday(-5);
    const c = await givenPromoter(surveyId, `${addDays(date, -1)}T10:00:00Z`, { locale: 'sr' });
    await api.request('POST', '/v1/campaigns/promoter-thanks/runs', { admin: true, body: { date } });
    const [email] = await sentTo(c.email);
    const link = /^<(.+)>$/.exec(header(email!, 'List-Unsubscribe')!)![1]!;

    const confirmed = await api.request('POST', link.slice(new URL(link).origin.length), { headers: { accept: 'text/html' } });

    expect(confirmed.status).toBe(200);
    expect(confirmed.text).toContain('Одјављени сте');
  });

  it('rejects a bad or tampered unsubscribe token with 403 and changes nothing', async () => {
    for (const method of ['GET', 'POST']) {
      const res = await api.request(method, '/v1/unsubscribe?token=test-1.eyJwIjoidSJ9.AAAA', {
        body: method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined,
        headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      });
      expect(res.status).toBe(403);
      expect(res.body.error.code).toBe('invalid_token');
    }
    expect((await api.request('POST', '/v1/unsubscribe')).status).toBe(403);
  });
});
