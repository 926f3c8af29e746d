/**
 * SES event publishing (configuration set → SNS) as far as suppression cares: a permanent bounce or a complaint
 * about one of our emails suppresses its customer, named by the `customer` message tag the mailer sets.
 */
export interface Suppression {
  customerId: string;
  reason: 'bounce' | 'complaint';
  messageId?: string;
}

interface SesEvent {
  eventType?: string;
  /** Identity notifications (not configuration sets) name it this way. */
  notificationType?: string;
  mail?: { messageId?: string; tags?: Record<string, string[] | undefined> };
  bounce?: { bounceType?: string };
}

/** Reads the customer back from the tag value (base64url: SES tag values allow letters, digits, `_` and `-` only). */
export const customerTag = {
  encode: (customerId: string) => Buffer.from(customerId, 'utf8').toString('base64url'),
  decode: (value: string) => Buffer.from(value, 'base64url').toString('utf8'),
};

/** The suppression an SES event asks for, if any. Transient and undetermined bounces do not suppress. */
export function suppressionOf(message: string): Suppression | undefined {
  let event: SesEvent;
  try {
    event = JSON.parse(message) as SesEvent;
  } catch {
    return undefined;
  }
  const type = event.eventType ?? event.notificationType;
  const tag = event.mail?.tags?.customer?.[0];
  if (!tag) return undefined;
  const customerId = customerTag.decode(tag);
  if (!/^[A-Za-z0-9._:@-]{1,128}$/.test(customerId)) return undefined;
  const messageId = event.mail?.messageId;
  if (type === 'Complaint') return { customerId, reason: 'complaint', messageId };
  if (type === 'Bounce' && event.bounce?.bounceType === 'Permanent') return { customerId, reason: 'bounce', messageId };
  return undefined;
}
