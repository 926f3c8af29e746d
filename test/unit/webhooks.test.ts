import { detractorAlertEvent } from '../../functions/core/alerts/notices.ts';
import { scoreDropEvent } from '../../functions/core/alerts/score-drop.ts';
import { describe, expect, it } from 'vitest';
import type { WebhookEvent } from '../../functions/core/webhook-events.ts';
import {
  deliveryBody,
  deliveryHeaders,
  deliveryIdOf,
  isLoopbackAddress,
  isPublicAddress,
  MAX_ATTEMPTS,
  newWebhookSecret,
  parseIp,
  queueDelaySeconds,
  RETRY_DELAYS_SECONDS,
  retryDelaySeconds,
  slackText,
  webhookSignature,
  webhookUrlProblem,
} from '../../functions/core/webhooks.ts';

describe('Standard Webhooks signatures', () => {
  it("reproduces the specification's test vector", () => {
    // The vector published with the Standard Webhooks reference libraries (secret, msg id, timestamp, body → signature).
    const signature = webhookSignature(
      'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
      'msg_p5jXN8AQM9LWM0D4loKWxJek',
      1614265330,
      '{"test": 2432232314}',
    );
    expect(signature).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('makes secrets of whsec_ and at least 24 random bytes', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(Buffer.from(secret.slice(6), 'base64').length).toBeGreaterThanOrEqual(24);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it("signs each attempt with the attempt's own timestamp, under the delivery's stable id", () => {
    const secret = newWebhookSecret();
    const first = deliveryHeaders(secret, 'msg_1', 1_700_000_000_500, '{}');
    const later = deliveryHeaders(secret, 'msg_1', 1_700_000_060_000, '{}');
    expect(first['webhook-id']).toBe(later['webhook-id']);
    expect(first['webhook-timestamp']).toBe('1700000000');
    expect(later['webhook-timestamp']).toBe('1700000060');
    expect(first['webhook-signature']).toBe(webhookSignature(secret, 'msg_1', 1_700_000_000, '{}'));
    expect(first['webhook-signature']).not.toBe(later['webhook-signature']);
  });

  it('derives one delivery id per webhook and event', () => {
    expect(deliveryIdOf('crm', 'alert.detractor:r1')).toBe(deliveryIdOf('crm', 'alert.detractor:r1'));
    expect(deliveryIdOf('crm', 'alert.detractor:r1')).not.toBe(deliveryIdOf('slack', 'alert.detractor:r1'));
    expect(deliveryIdOf('crm', 'alert.detractor:r1')).not.toBe(deliveryIdOf('crm', 'alert.detractor:r2'));
    expect(deliveryIdOf('a', 'b')).toMatch(/^msg_[A-Za-z0-9_-]{27}$/);
  });
});

describe('the retry schedule', () => {
  it('retries first within 10 s, then within a minute, then spaced out, for at least 24 hours', () => {
    expect(retryDelaySeconds(1)).toBeLessThanOrEqual(10);
    expect(retryDelaySeconds(2)).toBeLessThanOrEqual(60);
    for (let i = 1; i < RETRY_DELAYS_SECONDS.length; i++) {
      expect(RETRY_DELAYS_SECONDS[i]).toBeGreaterThan(RETRY_DELAYS_SECONDS[i - 1]!);
    }
    const total = RETRY_DELAYS_SECONDS.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(24 * 3600);
    expect(total).toBeLessThan(27 * 3600);
    expect(MAX_ATTEMPTS).toBe(11);
    expect(retryDelaySeconds(MAX_ATTEMPTS)).toBeUndefined();
  });

  it("waits in hops of at most SQS's 900-second timer", () => {
    expect(queueDelaySeconds(10_000, 0)).toBe(10);
    expect(queueDelaySeconds(3_600_000, 0)).toBe(900);
    expect(queueDelaySeconds(1_500, 1_000)).toBe(1);
    expect(queueDelaySeconds(0, 5_000)).toBe(0);
  });
});

describe('webhook URLs', () => {
  const deployed = { local: false };
  const local = { local: true };
  // prettier-ignore
  const cases: Array<[string, boolean, boolean]> = [
    // url                                          deployed ok, local ok
    ['https://hooks.example.com/feedback',             true,  true],
    ['https://hooks.slack.com/services/T0/B0/x',       true,  true],
    ['https://8.8.8.8/hook',                           true,  true],
    ['http://hooks.example.com/feedback',              false, false],
    ['http://127.0.0.1:4000/hook',                     false, true],
    ['http://localhost:4000/hook',                     false, true],
    ['https://localhost/hook',                         false, true],
    ['http://[::1]:4000/hook',                         false, false],
    ['https://127.0.0.1/hook',                         false, true],
    ['https://10.0.0.5/hook',                          false, false],
    ['https://169.254.169.254/latest/meta-data',       false, false],
    ['https://[::ffff:169.254.169.254]/x',             false, false],
    ['https://[fd00:ec2::254]/x',                      false, false],
    ['https://0x7f.1/x',                               false, true],   // WHATWG URL reads it as 127.0.0.1
    ['https://metadata/x',                             false, false],
    ['https://svc.internal/x',                         false, false],
    ['https://printer.local/x',                        false, false],
    ['https://user:pass@hooks.example.com/x',          false, false],
    ['ftp://hooks.example.com/x',                      false, false],
    ['/relative',                                      false, false],
    [`https://hooks.example.com/${'a'.repeat(2030)}`,  false, false],
  ];
  it.each(cases)('%s: deployed %s, local %s', (url, deployedOk, localOk) => {
    expect(webhookUrlProblem(url, deployed) === undefined).toBe(deployedOk);
    expect(webhookUrlProblem(url, local) === undefined).toBe(localOk);
  });
});

describe('public addresses', () => {
  // prettier-ignore
  const cases: Array<[string, boolean]> = [
    ['8.8.8.8', true], ['1.1.1.1', true], ['52.94.76.10', true],
    ['10.1.2.3', false], ['172.16.0.1', false], ['172.31.255.255', false], ['172.32.0.1', true],
    ['192.168.1.1', false], ['127.0.0.1', false], ['127.8.9.10', false], ['0.0.0.0', false],
    ['169.254.169.254', false], ['100.64.0.1', false], ['100.127.255.255', false], ['100.128.0.1', true],
    ['224.0.0.1', false], ['239.255.255.250', false], ['255.255.255.255', false], ['198.18.0.1', false],
    ['192.0.2.1', false], ['203.0.113.9', false],
    ['2606:4700:4700::1111', true], ['2001:4860:4860::8888', true],
    ['::1', false], ['::', false], ['fe80::1', false], ['fe80::1%eth0', false], ['fc00::1', false],
    ['fd00:ec2::254', false], ['ff02::1', false], ['2001:db8::1', false], ['2002:a00:1::', false],
    ['::ffff:127.0.0.1', false], ['::ffff:7f00:1', false], ['::ffff:169.254.169.254', false],
    ['::ffff:8.8.8.8', true], ['64:ff9b::a00:1', false], ['64:ff9b::8.8.8.8', true], ['::127.0.0.1', false],
    ['not-an-ip', false], ['1.2.3', false], ['01.2.3.4', false], ['1:2:3:4:5:6:7:8:9', false], ['1::2::3', false],
  ];
  it.each(cases)('%s → public %s', (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });

  it('parses IPv6 with an embedded IPv4 tail and compressed groups', () => {
    expect(parseIp('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIp('2001:db8::1')).toEqual([0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 1]);
  });

  it('knows loopback in every form localhost may resolve to', () => {
    expect(isLoopbackAddress('127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('::1')).toBe(true);
    expect(isLoopbackAddress('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopbackAddress('10.0.0.1')).toBe(false);
  });
});

describe('Slack format', () => {
  const event = (type: WebhookEvent['type'], data: Record<string, unknown>): WebhookEvent => ({
    id: 'e1',
    type,
    timestamp: '2026-11-28T10:00:00.000Z',
    data,
  });

  it('posts one readable line as {"text"}', () => {
    const body = JSON.parse(
      deliveryBody(
        'slack',
        event('alert.detractor', {
          surveyId: 'checkout',
          customerId: 'c-42',
          customerName: 'Ada',
          nps: 3,
          comment: 'Too slow\nto ship',
          url: 'https://feedback.example.com/dashboard?customer=c-42',
        }),
      ),
    );
    expect(Object.keys(body)).toEqual(['text']);
    expect(body.text).toBe(
      ':warning: Detractor on checkout: Ada (c-42) gave NPS 3 “Too slow to ship” <https://feedback.example.com/dashboard?customer=c-42|Open>',
    );
  });

  it.each([
    ['response.created', { surveyId: 's', customerId: 'c', nps: 9 }, 'New response to s from c: NPS 9'],
    ['response.updated', { surveyId: 's', nps: 5, csat: 2 }, 'Response to s from an anonymous customer changed: NPS 5, CSAT 2'],
    [
      'alert.score_drop',
      { surveyId: 's', metric: 'nps', score: 12, previousScore: 30, delta: -18, period: '2026-W47' },
      ':chart_with_downwards_trend: NPS of s fell from 30 to 12 (-18) in 2026-W47',
    ],
    ['invitation.answered', { surveyId: 's', customerId: 'c', nps: 10 }, 'c answered the invitation to s: NPS 10'],
  ] as const)('summarises %s', (type, data, text) => {
    expect(slackText(event(type, data))).toBe(text);
  });

  it('summarises the events the producers publish, with their scores, margins and dashboard link', () => {
    const detractor = detractorAlertEvent({
      response: { responseId: 'r1', surveyId: 'checkout', nps: 2, comment: 'Late', submittedAt: 'x', receivedAt: 'x' },
      survey: { surveyId: 'checkout', name: 'Checkout' },
      customer: { customerId: 'c-42', name: 'Ada' },
      dashboardUrl: 'https://feedback.example.com/dashboard?customer=c-42',
    });
    expect(slackText(detractor)).toBe(
      ':warning: Detractor on checkout: Ada (c-42) gave NPS 2 “Late” <https://feedback.example.com/dashboard?customer=c-42|Open>',
    );
    const drop = scoreDropEvent({
      metric: 'nps',
      score: { score: 10, marginOfError95: 12.5, responses: 40 },
      previousScore: { score: 45, marginOfError95: 11.2, responses: 42 },
      delta: -35,
      survey: { surveyId: 'checkout', name: 'Checkout' },
      period: '2026-W47',
      previousPeriod: '2026-W46',
      segments: [],
      comments: [],
      dashboardUrl: 'https://feedback.example.com/dashboard?survey=checkout',
    });
    expect(slackText(drop)).toBe(
      ':chart_with_downwards_trend: NPS of checkout fell from 45 (±11.2) to 10 (±12.5) (-35) in 2026-W47 <https://feedback.example.com/dashboard?survey=checkout|Open>',
    );
  });

  it("escapes Slack's markup in values, so a comment cannot make a link or a mention", () => {
    const text = slackText(event('response.created', { surveyId: 's', comment: '<!channel> <https://evil|click> & co' }));
    expect(text).toContain('&lt;!channel&gt; &lt;https://evil|click&gt; &amp; co');
    expect(text).not.toContain('<!channel>');
  });

  it('sends the Standard Webhooks body for the standard format', () => {
    const e = event('response.created', { surveyId: 's' });
    expect(JSON.parse(deliveryBody('standard', e))).toEqual({ type: e.type, timestamp: e.timestamp, data: e.data });
  });
});
