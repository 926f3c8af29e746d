/**
 * What leaves the service through webhooks: the contract's event types and one event's shape. Producers (the
 * stream notifier, the score-drop check) publish events; the webhooks module fans each out to the webhooks
 * subscribed to its type and delivers it from a queue.
 */
export const WEBHOOK_EVENT_TYPES = [
  'response.created',
  'response.updated',
  'alert.detractor',
  'alert.score_drop',
  'invitation.answered',
] as const;
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number];

export interface WebhookEvent {
  /**
   * Stable and unique per occurrence (e.g. `alert.detractor:<responseId>`): publishing the same event again (a
   * stream retry, a re-run) delivers it once per webhook, under the same `webhook-id`.
   */
  id: string;
  type: WebhookEventType;
  /** ISO 8601: when it happened (the body's `timestamp`). */
  timestamp: string;
  /** The body's `data`: ids and values, never more than the team needs to act. */
  data: Record<string, unknown>;
}

/** Queues the event for every webhook subscribed to its type; idempotent by `event.id`. */
export type PublishWebhookEvent = (event: WebhookEvent) => Promise<void>;
