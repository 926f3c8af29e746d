import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll } from 'vitest';

/** Webhook receivers on 127.0.0.1 for a test file, closed after it, and the spec's signature check. */

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
  at: number;
}

export function useReceivers() {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  });
  /** A receiver: `answer` decides each request's fate (a status, or nothing: it hangs). */
  async function receiver(answer: (n: number, req: IncomingMessage, res: ServerResponse) => number | undefined) {
    const received: Received[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        received.push({ headers: req.headers, body, at: Date.now() });
        const status = answer(received.length, req, res);
        if (status !== undefined) res.writeHead(status).end();
      });
    });
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
  }
  return { receiver };
}

/**
 * Verifies a delivery as a receiver would, written from the Standard Webhooks specification with WebCrypto (not the
 * service's signing code): the key is the base64 after `whsec_`, the signed content `<id>.<timestamp>.<body>`, the
 * header a space-separated list of `v1,<base64>`, the timestamp within five minutes.
 */
export async function verifiesStandardWebhook(
  secret: string,
  headers: IncomingMessage['headers'],
  body: string,
): Promise<boolean> {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, '')), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey('raw', keyBytes, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(`${id}.${timestamp}.${body}`));
  const expected = btoa(String.fromCharCode(...new Uint8Array(mac)));
  return signatures.split(' ').some((entry) => {
    const [version, signature] = entry.split(',');
    return version === 'v1' && signature === expected;
  });
}
