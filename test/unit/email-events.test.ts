import { describe, expect, it } from 'vitest';
import { customerTag, suppressionOf } from '../../functions/core/email-events.ts';

const event = (body: Record<string, unknown>, customerId = 'c:1@x') =>
  JSON.stringify({
    mail: { messageId: 'm-1', tags: { customer: [customerTag.encode(customerId)], campaign: ['birthday'] } },
    ...body,
  });

describe('suppressionOf', () => {
  it.each([
    [
      'a permanent bounce',
      event({ eventType: 'Bounce', bounce: { bounceType: 'Permanent' } }),
      { customerId: 'c:1@x', reason: 'bounce', messageId: 'm-1' },
    ],
    [
      'a complaint',
      event({ eventType: 'Complaint', complaint: {} }),
      { customerId: 'c:1@x', reason: 'complaint', messageId: 'm-1' },
    ],
    [
      'an identity notification complaint',
      event({ notificationType: 'Complaint' }),
      { customerId: 'c:1@x', reason: 'complaint', messageId: 'm-1' },
    ],
    ['a transient bounce', event({ eventType: 'Bounce', bounce: { bounceType: 'Transient' } }), undefined],
    ['a delivery', event({ eventType: 'Delivery' }), undefined],
    ['no customer tag', JSON.stringify({ eventType: 'Complaint', mail: { tags: {} } }), undefined],
    [
      'a tag that is not a customer id',
      JSON.stringify({ eventType: 'Complaint', mail: { tags: { customer: [customerTag.encode('a b')] } } }),
      undefined,
    ],
    ['not JSON', 'nope', undefined],
  ])('%s', (_, message, expected) => {
    expect(suppressionOf(message)).toEqual(expected);
  });

  it('tag values use only the characters SES allows', () => {
    expect(customerTag.encode('Ayşe:42@example.com')).toMatch(/^[A-Za-z0-9_-]+$/);
  });
});
