import { NotFound, ValidationFailed } from '#core/errors.ts';
import { newWebhookSecret, webhookUrlProblem } from '#core/webhooks.ts';
import { deleteWebhook, deliveryCursor, getWebhook, listDeliveries, listWebhooks, putWebhook } from '#data/webhooks.ts';
import { ENV } from '#runtime/env.ts';
import { httpHandler } from '#runtime/http.ts';
import { logger } from '#runtime/logger.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { routes } from './routes.ts';

const db = tableFromEnv();
/** Loopback URLs are allowed on this machine only: lib/local sets the flag, the stack never does. */
const local = process.env[ENV.localWebhooks] === '1';

export const handler = httpHandler(routes, {
  'PUT /v1/webhooks/{webhookId}': {
    handle: async (req) => {
      const { webhookId } = req.params;
      const problem = webhookUrlProblem(req.body.url, { local });
      if (problem) throw new ValidationFailed([{ path: 'url', message: problem }]);
      const secret = newWebhookSecret();
      const { webhook, created } = await putWebhook(
        db,
        { webhookId, url: req.body.url, events: req.body.events, format: req.body.format },
        secret,
        new Date().toISOString(),
      );
      logger.info(created ? 'WebhookCreated' : 'WebhookChanged', { webhookId, events: webhook.events, format: webhook.format });
      if (!created) return { status: 200, body: webhook };
      // Shown this once; the stored copy signs deliveries and never leaves the table again.
      return { status: 200, body: { ...webhook, secret } };
    },
  },
  'GET /v1/webhooks': { handle: async () => ({ status: 200, body: { items: await listWebhooks(db) } }) },
  'GET /v1/webhooks/{webhookId}': {
    handle: async (req) => {
      const webhook = await getWebhook(db, req.params.webhookId);
      if (!webhook) throw new NotFound(`Webhook "${req.params.webhookId}"`);
      return { status: 200, body: webhook };
    },
  },
  'DELETE /v1/webhooks/{webhookId}': {
    handle: async (req) => {
      if (!(await deleteWebhook(db, req.params.webhookId))) throw new NotFound(`Webhook "${req.params.webhookId}"`);
      logger.info('WebhookDeleted', { webhookId: req.params.webhookId });
      return { status: 204 };
    },
  },
  'GET /v1/webhooks/{webhookId}/deliveries': {
    handle: async (req) => {
      const { webhookId } = req.params;
      const { cursor, limit } = req.query;
      const after = cursor === undefined ? undefined : deliveryCursor(cursor, webhookId);
      if (cursor !== undefined && !after) {
        throw new ValidationFailed([
          { path: 'cursor', message: 'Use the nextCursor of the previous page of this listing, as given.' },
        ]);
      }
      if (!(await getWebhook(db, webhookId))) throw new NotFound(`Webhook "${webhookId}"`);
      return { status: 200, body: await listDeliveries(db, webhookId, { limit, after }) };
    },
  },
});
