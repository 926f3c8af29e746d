import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { hostOf, isLoopbackAddress, isPublicAddress, LOCAL_HOSTS, parseIp } from '#core/webhooks.ts';

export interface WebhookPost {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

/** How an attempt went: the receiver's HTTP status, or why there was none (refused address, timeout, network). */
export interface WebhookAnswer {
  status?: number;
  error?: string;
}

export type SendWebhook = (post: WebhookPost) => Promise<WebhookAnswer>;

/** The address a host may be reached at, or why not. Loopback is allowed only for the local hosts on this machine. */
function refusal(host: string, address: string, local: boolean): string | undefined {
  if (isPublicAddress(address)) return undefined;
  if (local && LOCAL_HOSTS.includes(host) && isLoopbackAddress(address)) return undefined;
  return `${host} resolves to a non-public address`;
}

/**
 * Resolves the host and refuses it unless every address it has is public; the socket then connects to an address
 * from this very answer, so a second resolution (DNS rebinding) cannot swap in a private one.
 */
const checkedLookup =
  (local: boolean): LookupFunction =>
  (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, verbatim: true, family: options.family }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const bad = addresses.map((a) => refusal(hostname.toLowerCase(), a.address, local)).find(Boolean);
      if (bad || addresses.length === 0) {
        return callback(Object.assign(new Error(bad ?? `${hostname} has no address`), { code: 'EADDRNOTPUBLIC' }), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };

/**
 * POSTs one delivery with node's http(s): redirects are not followed (a 3xx is just a status), and the whole
 * exchange up to the status line must happen within `timeoutMs`, or the request is destroyed. `local` (this machine
 * only) lets the local hosts reach loopback; every other host must resolve to public addresses only.
 */
export function webhookSender(options: { local: boolean }): SendWebhook {
  return (post) =>
    new Promise<WebhookAnswer>((resolve) => {
      const url = new URL(post.url);
      const host = hostOf(url);
      // An IP literal is never looked up: check it here.
      if (parseIp(host)) {
        const bad = refusal(host, host, options.local);
        if (bad) return resolve({ error: bad });
      }
      const send = url.protocol === 'https:' ? httpsRequest : url.protocol === 'http:' ? httpRequest : undefined;
      if (!send) return resolve({ error: `unsupported protocol ${url.protocol}` });
      let settled = false;
      const finish = (answer: WebhookAnswer) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        resolve(answer);
      };
      const requestOptions: RequestOptions = {
        method: 'POST',
        headers: { ...post.headers, 'content-length': Buffer.byteLength(post.body) },
        lookup: checkedLookup(options.local),
        agent: false,
      };
      const req = send(url, requestOptions, (res) => finish({ status: res.statusCode }));
      const timer = setTimeout(() => finish({ error: `no answer within ${post.timeoutMs} ms` }), post.timeoutMs);
      req.on('error', (error) => finish({ error: error.message.slice(0, 200) }));
      req.end(post.body);
    });
}
