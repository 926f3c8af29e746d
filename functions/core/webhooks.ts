import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { WebhookEvent, WebhookEventType } from './webhook-events.ts';

/**
 * Webhooks, the pure part: secrets and Standard Webhooks signatures, the retry schedule, the Slack text, and the
 * checks that keep deliveries on public addresses (URL at registration, every resolved address at send time).
 */

export const WEBHOOK_FORMATS = ['standard', 'slack'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

export const MAX_WEBHOOK_URL_LENGTH = 2048;
/** A receiver that has not answered (status line) within this long has failed this attempt. */
export const DELIVERY_TIMEOUT_MS = 5_000;

// ---- Secrets and signatures (https://www.standardwebhooks.com) ------------------------------------------------

const SECRET_PREFIX = 'whsec_';
/** 32 random bytes: the spec asks for 24 to 64. */
const SECRET_BYTES = 32;

export const newWebhookSecret = (): string => SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');

/** The HMAC key: the base64-decoded bytes after `whsec_`. */
const secretKey = (secret: string): Buffer =>
  Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');

/** `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`: the `webhook-signature` header. */
export const webhookSignature = (secret: string, id: string, timestampSeconds: number, body: string): string =>
  `v1,${createHmac('sha256', secretKey(secret)).update(`${id}.${timestampSeconds}.${body}`).digest('base64')}`;

/**
 * One event's delivery to one webhook: the same (webhook, event) always gives the same id, so publishing an event
 * twice writes one delivery, and its `webhook-id` is stable across every retry.
 */
export const deliveryIdOf = (webhookId: string, eventId: string): string =>
  `msg_${createHash('sha256').update(`${webhookId}\n${eventId}`, 'utf8').digest('base64url').slice(0, 27)}`;

/** The Standard Webhooks body: `{"type","timestamp","data"}`. */
export const standardBody = (event: WebhookEvent): string =>
  JSON.stringify({ type: event.type, timestamp: event.timestamp, data: event.data });

/** What is posted to the receiver, by the webhook's format. */
export const deliveryBody = (format: WebhookFormat, event: WebhookEvent): string =>
  format === 'slack' ? JSON.stringify({ text: slackText(event) }) : standardBody(event);

/** The headers of one attempt: the id stays, the timestamp and signature are the attempt's own. */
export function deliveryHeaders(secret: string, deliveryId: string, nowMs: number, body: string): Record<string, string> {
  const timestamp = Math.floor(nowMs / 1000);
  return {
    'content-type': 'application/json',
    'user-agent': 'feedback-webhooks/1',
    'webhook-id': deliveryId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': webhookSignature(secret, deliveryId, timestamp, body),
  };
}

// ---- Retries ----------------------------------------------------------------------------------------------------

/**
 * Seconds from a failed attempt to the next: attempt 1 fails → retry 5 s later, then 30 s, 2 min, 10 min, 30 min,
 * 1 h, 2 h, 4 h, 8 h, 10 h. Eleven attempts over 25.7 hours (at least 24, the contract's floor), then the delivery
 * is `failed` and dead-lettered.
 */
// prettier-ignore
export const RETRY_DELAYS_SECONDS: readonly number[] = [5, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800, 36_000];
export const MAX_ATTEMPTS = RETRY_DELAYS_SECONDS.length + 1;

/** Seconds to wait after attempt `attempt` (1-based) failed; undefined after the last one. */
export const retryDelaySeconds = (attempt: number): number | undefined => RETRY_DELAYS_SECONDS[attempt - 1];

/** SQS's longest message timer: a longer wait is made of several hops of at most this (the message comes back early). */
export const MAX_QUEUE_DELAY_SECONDS = 900;

/** The timer of the next hop towards `notBeforeMs`: 0 when due. */
export const queueDelaySeconds = (notBeforeMs: number, nowMs: number): number =>
  Math.min(MAX_QUEUE_DELAY_SECONDS, Math.max(0, Math.ceil((notBeforeMs - nowMs) / 1000)));

/** Any 2xx is a delivery; a redirect is not followed and counts as a failure like any other status. */
export const isDelivered = (status: number | undefined): boolean => status !== undefined && status >= 200 && status < 300;

// ---- Slack ------------------------------------------------------------------------------------------------------

/** Slack reads &, < and > as markup: values are escaped, so a comment cannot forge a link or a mention. */
const escaped = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() ? escaped(value.trim()) : typeof value === 'number' ? String(value) : undefined;
const quoted = (comment: unknown, max = 200): string => {
  const t = typeof comment === 'string' ? comment.replace(/\s+/g, ' ').trim() : '';
  if (!t) return '';
  return ` “${escaped(t.length > max ? `${t.slice(0, max - 1)}…` : t)}”`;
};
const who = (data: Record<string, unknown>): string => {
  const name = text(data.customerName);
  const id = text(data.customerId);
  return name && id ? `${name} (${id})` : (name ?? id ?? 'an anonymous customer');
};
const survey = (data: Record<string, unknown>): string => text(data.surveyId) ?? 'a survey';
const scores = (data: Record<string, unknown>): string =>
  (['nps', 'csat', 'ces'] as const)
    .filter((metric) => typeof data[metric] === 'number')
    .map((metric) => `${metric.toUpperCase()} ${String(data[metric])}`)
    .join(', ');
/** A score as the score-drop alert gives it (`{score, marginOfError95}`), or a plain number. */
const scoreOf = (value: unknown): string | undefined => {
  if (typeof value === 'number') return String(value);
  if (typeof value !== 'object' || value === null) return undefined;
  const { score, marginOfError95 } = value as { score?: unknown; marginOfError95?: unknown };
  if (typeof score !== 'number') return undefined;
  return typeof marginOfError95 === 'number' ? `${score} (±${marginOfError95})` : String(score);
};
/** A link the producer gave (the customer or the scores on the dashboard), when it is http(s). */
const link = (data: Record<string, unknown>): string => {
  const url = [data.dashboardUrl, data.url, data.link].find(
    (v): v is string => typeof v === 'string' && /^https?:\/\/[^\s<>|]+$/.test(v),
  );
  return url ? ` <${url}|Open>` : '';
};

const SLACK_SUMMARIES: Record<WebhookEventType, (data: Record<string, unknown>) => string> = {
  'response.created': (d) => `New response to ${survey(d)} from ${who(d)}: ${scores(d) || 'no score'}${quoted(d.comment)}`,
  'response.updated': (d) => `Response to ${survey(d)} from ${who(d)} changed: ${scores(d) || 'no score'}${quoted(d.comment)}`,
  'alert.detractor': (d) => `:warning: Detractor on ${survey(d)}: ${who(d)} gave NPS ${text(d.nps) ?? '?'}${quoted(d.comment)}`,
  'alert.score_drop': (d) => {
    const metric = (text(d.metric) ?? 'score').toUpperCase();
    const delta = typeof d.delta === 'number' ? ` (${d.delta > 0 ? '+' : ''}${d.delta})` : '';
    const [from, to] = [scoreOf(d.previousScore) ?? '?', scoreOf(d.score) ?? '?'];
    return `:chart_with_downwards_trend: ${metric} of ${survey(d)} fell from ${from} to ${to}${delta} in ${text(d.period) ?? 'the last period'}`;
  },
  'invitation.answered': (d) => `${who(d)} answered the invitation to ${survey(d)}${scores(d) ? `: ${scores(d)}` : ''}`,
};

/** One readable line for a Slack incoming webhook (`{"text": …}`), with the producer's link when it gave one. */
export const slackText = (event: WebhookEvent): string => SLACK_SUMMARIES[event.type](event.data) + link(event.data);

// ---- Where a webhook may point ----------------------------------------------------------------------------------

/** Loopback hosts a local stack may deliver to (`npm start`, tests); never when deployed. */
export const LOCAL_HOSTS: readonly string[] = ['127.0.0.1', 'localhost'];

/**
 * Why a webhook URL cannot be registered, or undefined: absolute http(s) within 2048 characters, no credentials;
 * deployed only https to a public host (a public IP literal, or a name that is not obviously internal; what a name
 * resolves to is checked at every send). Locally `http(s)://127.0.0.1` and `http(s)://localhost` are allowed too.
 */
export function webhookUrlProblem(value: string, options: { local: boolean }): string | undefined {
  if (value.length > MAX_WEBHOOK_URL_LENGTH) return `Use at most ${MAX_WEBHOOK_URL_LENGTH} characters.`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'Use an absolute URL, like https://hooks.example.com/feedback.';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Use an https URL.';
  if (url.username || url.password) return 'Leave credentials out of the URL; the signature authenticates deliveries.';
  const host = hostOf(url);
  if (options.local && LOCAL_HOSTS.includes(host)) return undefined;
  if (url.protocol !== 'https:') return 'Use an https URL.';
  const address = parseIp(host);
  if (address) return isPublicAddress(host) ? undefined : 'Use a public address: this one is private, loopback or reserved.';
  if (!host.includes('.') || /\.(localhost|local|internal|localdomain|home\.arpa)$/.test(host)) {
    return 'Use a public host name.';
  }
  return undefined;
}

/** The URL's host without IPv6 brackets. */
export const hostOf = (url: URL): string => url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();

// ---- IP addresses ------------------------------------------------------------------------------------------------

/** An IPv4 (4 bytes) or IPv6 (16 bytes) address, or undefined when the text is neither in canonical-enough form. */
export function parseIp(value: string): number[] | undefined {
  return parseIpv4(value) ?? parseIpv6(value);
}

function parseIpv4(value: string): number[] | undefined {
  const parts = value.split('.');
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return undefined;
  return parts.map(Number);
}

function parseIpv6(value: string): number[] | undefined {
  let address = value.replace(/%.*$/, ''); // a zone index (fe80::1%eth0) says where, not what
  if (!address.includes(':') || !/^[0-9a-fA-F:.]+$/.test(address)) return undefined;
  const lastColon = address.lastIndexOf(':');
  if (address.includes('.')) {
    // A dotted IPv4 tail (::ffff:127.0.0.1) is the last two groups.
    const v4 = parseIpv4(address.slice(lastColon + 1));
    if (!v4) return undefined;
    address = `${address.slice(0, lastColon + 1)}${((v4[0]! << 8) | v4[1]!).toString(16)}:${((v4[2]! << 8) | v4[3]!).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...left, ...right].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const words = [...left, ...Array<string>(missing).fill('0'), ...right].map((g) => parseInt(g, 16));
  return words.flatMap((w) => [w >> 8, w & 0xff]);
}

const inPrefix = (bytes: readonly number[], prefix: readonly number[], bits: number): boolean => {
  for (let i = 0; i < bits; i++) {
    const byte = Math.floor(i / 8);
    const mask = 0x80 >> (i % 8);
    if ((bytes[byte]! & mask) !== (prefix[byte]! & mask)) return false;
  }
  return true;
};

// prettier-ignore
const NON_PUBLIC_V4: ReadonlyArray<[number[], number]> = [
  [[0, 0, 0, 0], 8],        // "this network"
  [[10, 0, 0, 0], 8],       // private
  [[100, 64, 0, 0], 10],    // carrier-grade NAT
  [[127, 0, 0, 0], 8],      // loopback
  [[169, 254, 0, 0], 16],   // link-local: the instance metadata endpoint 169.254.169.254
  [[172, 16, 0, 0], 12],    // private
  [[192, 0, 0, 0], 24],     // IETF protocol assignments
  [[192, 0, 2, 0], 24],     // documentation
  [[192, 88, 99, 0], 24],   // 6to4 relay anycast
  [[192, 168, 0, 0], 16],   // private
  [[198, 18, 0, 0], 15],    // benchmarking
  [[198, 51, 100, 0], 24],  // documentation
  [[203, 0, 113, 0], 24],   // documentation
  [[224, 0, 0, 0], 4],      // multicast
  [[240, 0, 0, 0], 4],      // reserved, and broadcast
];

const v6 = (text: string) => parseIpv6(text)!;
/** IPv6 ranges whose last 32 bits are an IPv4 address, judged as that address. */
// prettier-ignore
const EMBEDDING_V4: ReadonlyArray<[number[], number]> = [
  [v6('::ffff:0:0'), 96],   // IPv4-mapped
  [v6('64:ff9b::'), 96],    // NAT64
];
// prettier-ignore
const NON_PUBLIC_V6: ReadonlyArray<[number[], number]> = [
  [v6('::'), 96],           // unspecified, loopback, IPv4-compatible (deprecated)
  [v6('64:ff9b:1::'), 48],  // local-use NAT64
  [v6('100::'), 64],        // discard
  [v6('2001::'), 23],       // IETF protocol assignments (Teredo, ORCHID, …)
  [v6('2001:db8::'), 32],   // documentation
  [v6('2002::'), 16],       // 6to4: an IPv4 address behind it
  [v6('3fff::'), 20],       // documentation
  [v6('fc00::'), 7],        // unique local (AWS's IPv6 metadata endpoint fd00:ec2::254 among them)
  [v6('fe80::'), 10],       // link-local
  [v6('fec0::'), 10],       // site-local (deprecated)
  [v6('ff00::'), 8],        // multicast
];

/**
 * Whether a delivery may connect to this address: a public unicast address, not private, loopback, link-local
 * (the metadata endpoint), CGNAT, multicast, reserved or documentation, in IPv4 or IPv6, and not such an IPv4
 * address in an IPv6 form (mapped, NAT64). Anything that does not parse is not public.
 */
export function isPublicAddress(value: string): boolean {
  const bytes = parseIp(value);
  if (!bytes) return false;
  if (bytes.length === 4) return !NON_PUBLIC_V4.some(([prefix, bits]) => inPrefix(bytes, prefix, bits));
  if (EMBEDDING_V4.some(([prefix, bits]) => inPrefix(bytes, prefix, bits))) return isPublicAddress(bytes.slice(12).join('.'));
  if (!inPrefix(bytes, v6('2000::'), 3)) return false; // only global unicast is routable on the internet
  return !NON_PUBLIC_V6.some(([prefix, bits]) => inPrefix(bytes, prefix, bits));
}

/** A loopback address (127/8, ::1, or 127/8 mapped): what `localhost` may resolve to locally. */
export function isLoopbackAddress(value: string): boolean {
  const bytes = parseIp(value);
  if (!bytes) return false;
  if (bytes.length === 4) return bytes[0] === 127;
  if (inPrefix(bytes, v6('::ffff:0:0'), 96)) return bytes[12] === 127;
  return bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
}
