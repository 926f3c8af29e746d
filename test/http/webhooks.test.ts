import { afterAll, describe, expect, it } from 'vitest';
import { uniqueId } from '../support/factories.ts';
import { useApi } from '../support/api.ts';
import { watchTableWrites } from '../support/table-writes.ts';

const api = useApi();
const created: string[] = [];

/** A webhook this file owns (deleted at the end, so no other file's events are fanned out to it). */
const newWebhookId = () => {
  const id = uniqueId('wh');
  created.push(id);
  return id;
};
const putWebhook = (webhookId: string, body: unknown) => api.request('PUT', `/v1/webhooks/${webhookId}`, { admin: true, body });
const valid = { url: 'https://hooks.example.com/feedback', events: ['alert.detractor'] };

afterAll(async () => {
  for (const id of created) await api.request('DELETE', `/v1/webhooks/${id}`, { admin: true });
});

describe('PUT /v1/webhooks/{webhookId}', () => {
  it('creates a webhook and shows its secret only then', async () => {
    const webhookId = newWebhookId();
    const first = await putWebhook(webhookId, { ...valid, format: 'slack' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      webhookId,
      url: valid.url,
      events: ['alert.detractor'],
      format: 'slack',
      secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/]{43}=$/),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });

    const read = await api.request('GET', `/v1/webhooks/${webhookId}`, { admin: true });
    expect(read.status).toBe(200);
    expect(read.body).not.toHaveProperty('secret');
    expect(read.text).not.toContain(first.body.secret);

    const changed = await putWebhook(webhookId, {
      url: 'https://hooks.example.com/v2',
      events: ['response.created', 'alert.score_drop'],
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ webhookId, url: 'https://hooks.example.com/v2', format: 'standard' });
    expect(changed.body).not.toHaveProperty('secret');
    expect(changed.body.createdAt).toBe(first.body.createdAt);

    const list = await api.request('GET', '/v1/webhooks', { admin: true });
    expect(list.status).toBe(200);
    expect(list.body.items).toContainEqual(
      expect.objectContaining({ webhookId, events: ['response.created', 'alert.score_drop'] }),
    );
    expect(list.text).not.toContain('whsec_');
  });

  it('defaults the format to standard', async () => {
    const res = await putWebhook(newWebhookId(), valid);
    expect(res.status).toBe(200);
    expect(res.body.format).toBe('standard');
  });

  it('allows http://127.0.0.1 and http://localhost on a local stack', async () => {
    expect((await putWebhook(newWebhookId(), { ...valid, url: 'http://127.0.0.1:9/hook' })).status).toBe(200);
    expect((await putWebhook(newWebhookId(), { ...valid, url: 'http://localhost:9/hook' })).status).toBe(200);
  });

  const bad: Array<[string, unknown, string]> = [
    ['no events', { ...valid, events: [] }, 'events'],
    ['an unknown event', { ...valid, events: ['response.deleted'] }, 'events.0'],
    ['an event twice', { ...valid, events: ['alert.detractor', 'alert.detractor'] }, 'events'],
    ['an unknown format', { ...valid, format: 'teams' }, 'format'],
    ['a relative url', { ...valid, url: '/hook' }, 'url'],
    ['plain http to a public host', { ...valid, url: 'http://hooks.example.com/x' }, 'url'],
    ['the metadata endpoint', { ...valid, url: 'https://169.254.169.254/latest' }, 'url'],
    ['a private address', { ...valid, url: 'https://10.0.0.7/hook' }, 'url'],
    ['an IPv4-mapped loopback', { ...valid, url: 'https://[::ffff:127.0.0.1]/hook' }, 'url'],
    ['a url over 2048 characters', { ...valid, url: `https://hooks.example.com/${'a'.repeat(2048)}` }, 'url'],
    ['an unknown field', { ...valid, secret: 'mine' }, 'secret'],
    ['no url', { events: ['alert.detractor'] }, 'url'],
  ];
  it.each(bad)('refuses %s: 400 naming it, storing nothing', async (_, body, path) => {
    const webhookId = newWebhookId();
    const watch = await watchTableWrites();
    const res = await putWebhook(webhookId, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(await watch.written()).toEqual([]);
    expect((await api.request('GET', `/v1/webhooks/${webhookId}`, { admin: true })).status).toBe(404);
  });

  it('refuses a webhook id unlike a survey id', async () => {
    const res = await putWebhook('Not_Valid', valid);
    expect(res.status).toBe(400);
    expect(res.body.error.issues[0].path).toBe('webhookId');
  });

  it('needs the admin token', async () => {
    const res = await api.request('PUT', `/v1/webhooks/${newWebhookId()}`, { body: valid });
    expect(res.status).toBe(401);
  });
});

describe('GET, DELETE and deliveries', () => {
  it('answers 404 for a webhook that does not exist', async () => {
    const id = uniqueId('wh');
    expect((await api.request('GET', `/v1/webhooks/${id}`, { admin: true })).status).toBe(404);
    expect((await api.request('DELETE', `/v1/webhooks/${id}`, { admin: true })).status).toBe(404);
    expect((await api.request('GET', `/v1/webhooks/${id}/deliveries`, { admin: true })).status).toBe(404);
  });

  it('deletes a webhook', async () => {
    const webhookId = newWebhookId();
    await putWebhook(webhookId, valid);
    expect((await api.request('DELETE', `/v1/webhooks/${webhookId}`, { admin: true })).status).toBe(204);
    expect((await api.request('GET', `/v1/webhooks/${webhookId}`, { admin: true })).status).toBe(404);
  });

  it('lists no deliveries for a new webhook, and refuses a forged cursor or a bad limit', async () => {
    const webhookId = newWebhookId();
    await putWebhook(webhookId, valid);
    const empty = await api.request('GET', `/v1/webhooks/${webhookId}/deliveries`, { admin: true });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ items: [] });
    const forged = Buffer.from(JSON.stringify({ pk: 'APIKEYS', sk: 'x', gsi1pk: 'y', gsi1sk: 'z' })).toString('base64url');
    const cursor = await api.request('GET', `/v1/webhooks/${webhookId}/deliveries?cursor=${forged}`, { admin: true });
    expect(cursor.status).toBe(400);
    expect(cursor.body.error.issues[0].path).toBe('cursor');
    const limit = await api.request('GET', `/v1/webhooks/${webhookId}/deliveries?limit=0`, { admin: true });
    expect(limit.status).toBe(400);
    expect(limit.body.error.issues[0].path).toBe('limit');
  });
});
