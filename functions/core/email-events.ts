/**
 * SES event publishing (configuration set → SNS) as far as suppression cares: a permanent bounce or a complaint
 * about one of our emails suppresses its address (every customer with it), the customer named by the `customer`
 * message tag the mailer sets.
 */
export interface Suppression {
  customerId: string;
  reason: 'bounce' | 'complaint';
  messageId?: string;
  /** The address that bounced or complained, as SES reports it (the customer's may have changed since). */
  address?: string;
}

interface Recipients {
  bouncedRecipients?: Array<{ emailAddress?: string }>;
  complainedRecipients?: Array<{ emailAddress?: string }>;
}

interface SesEvent {
  eventType?: string;
  /** Identity notifications (not configuration sets) name it this way. */
  notificationType?: string;
  mail?: { messageId?: string; destination?: string[]; tags?: Record<string, string[] | undefined> };
  bounce?: { bounceType?: string } & Recipients;
  complaint?: Recipients;
}

/** Plain `local@domain` addresses only: anything else leaves the customer's own address to be used. */
const PLAIN_ADDRESS = /^[^\s<>@"]{1,64}@[^\s<>@"]{1,255}$/;

/** The address an event is about: our emails have one recipient. */
function addressOf(event: SesEvent): string | undefined {
  const reported =
    event.bounce?.bouncedRecipients?.[0]?.emailAddress ??
    event.complaint?.complainedRecipients?.[0]?.emailAddress ??
    event.mail?.destination?.[0];
  return typeof reported === 'string' && PLAIN_ADDRESS.test(reported) ? reported : undefined;
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
  const address = addressOf(event);
  const about = { customerId, messageId, ...(address ? { address } : {}) };
  if (type === 'Complaint') return { ...about, reason: 'complaint' };
  if (type === 'Bounce' && event.bounce?.bounceType === 'Permanent') return { ...about, reason: 'bounce' };
  return undefined;
}
