// Placeholder until the webhooks branch merges: the lead replaces this file with helper B's.
import type { PublishWebhookEvent } from '#core/webhook-events.ts';
import { logger } from '#runtime/logger.ts';

export const publishWebhookEvent: PublishWebhookEvent = async (event) => {
  logger.debug('WebhookEventPublished', { eventId: event.id });
};
