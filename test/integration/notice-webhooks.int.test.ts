import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalWebhookQueue, type LocalWebhookQueueHandle } from '../../lib/local/webhook-queue.ts';
import { teamEmails, useAlertsStack } from '../support/alerts-stack.ts';
import { useApi } from '../support/api.ts';
import { givenCustomer, givenLink, givenSurvey, uniqueId } from '../support/factories.ts';
import { within } from '../support/scoring-stack.ts';
import { useReceivers, verifiesStandardWebhook } from '../support/webhook-receiver.ts';

/**
 * What leaves the service when a customer answers, end to end as `npm start` runs it: the API accepts, the stream
 * feeds the notifier, the notifier publishes, the local queue feeds the deliverer, and a receiver written from the
 * Standard Webhooks spec verifies each delivery; the team's alert email arrives beside the `alert.detractor` event.
 */

const stack = useAlertsStack({ publicBaseUrl: 'https://feedback.example' });
const api = useApi();
const { receiver } = useReceivers();
let queue: LocalWebhookQueueHandle;
beforeAll(() => {
  queue = startLocalWebhookQueue();
});
afterAll(async () => queue.stop());

interface Delivered {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

describe('webhooks fed by the notifier', () => {
  it('deliver response.created, then response.updated and alert.detractor for an edit into a detractor, each once and signed', async () => {
    const target = await receiver(() => 204);
    const webhookId = uniqueId('wh');
    const created = await api.request('PUT', `/v1/webhooks/${webhookId}`, {
      admin: true,
      body: { url: target.url, events: ['response.created', 'response.updated', 'alert.detractor'] },
    });
    expect(created.status).toBe(200);
    const secret = created.body.secret as string;

    const surveyId = await givenSurvey(api, { name: 'After purchase' });
    const customerId = await givenCustomer(api, { name: 'Kati Kask' });
    const { token } = await givenLink(api, surveyId, customerId);
    const first = await api.request('POST', '/v1/responses', { body: { surveyId, token, nps: 9 } });
    expect(first.status).toBe(201);
    const { responseId } = first.body as { responseId: string };
    const received = async (n: number) =>
      (
        await within(
          20_000,
          async () => target.received,
          (list) => list.length >= n,
        )
      ).value;
    expect(await received(1)).toHaveLength(1);

    const edit = await api.request('POST', '/v1/responses', { body: { surveyId, token, nps: 3, comment: 'Broken on arrival' } });
    expect(edit.status).toBe(200);
    const all = await received(3);
    await stack.drained();
    // Nothing more arrives: each event once.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(target.received).toHaveLength(3);

    for (const delivery of all) expect(await verifiesStandardWebhook(secret, delivery.headers, delivery.body)).toBe(true);
    const bodies = all.map((d) => ({ id: String(d.headers['webhook-id']), ...JSON.parse(d.body) }) as Delivered);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(3);
    expect(bodies.map((b) => b.type).sort()).toEqual(['alert.detractor', 'response.created', 'response.updated']);
    for (const body of bodies) expect(body.data).toMatchObject({ surveyId, customerId, responseId });
    const alert = bodies.find((b) => b.type === 'alert.detractor')!;
    expect(alert.data).toMatchObject({ nps: 3, comment: 'Broken on arrival' });

    const emails = await within(
      10_000,
      () => teamEmails(responseId),
      (found) => found.length > 0,
    );
    expect(emails.value).toHaveLength(1);

    const deliveries = await api.request('GET', `/v1/webhooks/${webhookId}/deliveries`, { admin: true });
    expect(deliveries.status).toBe(200);
    expect(deliveries.body.items).toHaveLength(3);
    for (const item of deliveries.body.items) expect(item).toMatchObject({ status: 'delivered', attempts: 1 });
  });
});
