import * as z from 'zod/mini';
import { SURVEY_ID } from '#core/schemas.ts';
import { WEBHOOK_EVENT_TYPES } from '#core/webhook-events.ts';
import { MAX_ATTEMPTS, MAX_WEBHOOK_URL_LENGTH, WEBHOOK_FORMATS } from '#core/webhooks.ts';
import { component, defineRoutes, timestamp, pageLimit, pageCursor } from '#runtime/routes.ts';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

/** The same shape as a survey id: lower-case letters, digits and dashes. */
export const webhookId = z.string().check(z.regex(SURVEY_ID, 'Use 1–64 lower-case letters, digits and dashes.'));
const params = z.object({ webhookId });

const events = z.array(z.enum(WEBHOOK_EVENT_TYPES)).check(
  z.minLength(1, 'Name at least one event type.'),
  z.refine((list) => new Set(list).size === list.length, 'Name each event type once.'),
  z.describe('The event types delivered to this webhook.'),
);

const WebhookInput = component(
  'WebhookInput',
  z.strictObject({
    url: z
      .string()
      .check(
        z.maxLength(MAX_WEBHOOK_URL_LENGTH),
        z.describe(
          `Where deliveries are POSTed: an absolute https URL to a public host (at most ${MAX_WEBHOOK_URL_LENGTH} characters). ` +
            'On a local stack http://127.0.0.1 and http://localhost are allowed too.',
        ),
      ),
    events,
    format: z
      ._default(z.enum(WEBHOOK_FORMATS), 'standard')
      .check(z.describe('standard: Standard Webhooks (signed JSON); slack: {"text": …} for a Slack incoming webhook.')),
  }),
);

const webhookFields = {
  webhookId,
  url: z.string(),
  events: z.array(z.enum(WEBHOOK_EVENT_TYPES)),
  format: z.enum(WEBHOOK_FORMATS),
  createdAt: timestamp,
  updatedAt: timestamp,
};
const Webhook = component('Webhook', z.strictObject(webhookFields));
const SavedWebhook = component(
  'SavedWebhook',
  z.strictObject({
    ...webhookFields,
    secret: z.optional(
      z
        .string()
        .check(
          z.describe(
            'whsec_<base64>: verifies the webhook-signature header (Standard Webhooks). Only in the answer that created the webhook.',
          ),
        ),
    ),
  }),
);
const WebhookList = component('WebhookList', z.strictObject({ items: z.array(Webhook).check(z.describe('By id.')) }));

const DeliveryItem = component(
  'WebhookDelivery',
  z.strictObject({
    deliveryId: z.string().check(z.describe('The webhook-id header of every attempt.')),
    webhookId,
    eventId: z.string(),
    eventType: z.enum(WEBHOOK_EVENT_TYPES),
    status: z.enum(['pending', 'retrying', 'delivered', 'failed']),
    attempts: z.int().check(z.gte(0), z.describe(`Attempts made, at most ${MAX_ATTEMPTS}.`)),
    lastStatus: z.optional(z.int().check(z.describe("The receiver's HTTP status at the last attempt."))),
    lastError: z.optional(
      z.string().check(z.describe('Why the last attempt had no status (timeout, refused address, network).')),
    ),
    createdAt: timestamp,
    lastAttemptAt: z.optional(timestamp),
    nextAttemptAt: z.optional(timestamp.check(z.describe('While retrying: when the next attempt is due.'))),
    deliveredAt: z.optional(timestamp),
  }),
);
const DeliveryPage = component(
  'WebhookDeliveryPage',
  z.strictObject({
    items: z.array(DeliveryItem).check(z.describe('Newest first.')),
    nextCursor: z.optional(z.string().check(z.describe('Pass as cursor for the next page; absent on the last page.'))),
  }),
);

export const routes = defineRoutes({
  'PUT /v1/webhooks/{webhookId}': {
    auth: 'admin',
    summary: 'Create or change a webhook',
    description:
      'Subscribes a URL to event types. Creating answers the signing secret, once; changing keeps the secret. ' +
      `A delivery that fails (non-2xx, a redirect, no answer within 5 s) is retried ${MAX_ATTEMPTS - 1} times over ` +
      'about 26 hours with the same webhook-id, then marked failed.',
    params,
    body: WebhookInput,
    responses: { 200: { description: 'The webhook; with its secret when just created.', schema: SavedWebhook } },
    errors: [400, 413, 415],
  },
  'GET /v1/webhooks': {
    auth: 'admin',
    summary: 'List the webhooks',
    responses: { 200: { description: 'Every webhook, without secrets.', schema: WebhookList } },
    errors: [],
  },
  'GET /v1/webhooks/{webhookId}': {
    auth: 'admin',
    summary: 'Read a webhook',
    params,
    responses: { 200: { description: 'The webhook, without its secret.', schema: Webhook } },
    errors: [400, 404],
  },
  'DELETE /v1/webhooks/{webhookId}': {
    auth: 'admin',
    summary: 'Delete a webhook',
    description: 'Nothing more is delivered to it, retries included; its deliveries stay listed until they expire (30 days).',
    params,
    responses: { 204: { description: 'Deleted.' } },
    errors: [400, 404],
  },
  'GET /v1/webhooks/{webhookId}/deliveries': {
    auth: 'admin',
    summary: "List a webhook's deliveries",
    description: 'Newest first, kept 30 days: status, attempts and the last HTTP status.',
    params,
    query: z.object({
      limit: pageLimit(DEFAULT_LIMIT, MAX_LIMIT),
      cursor: pageCursor,
    }),
    responses: { 200: { description: 'A page of deliveries.', schema: DeliveryPage } },
    errors: [400, 404],
  },
});
