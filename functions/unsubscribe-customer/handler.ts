import { InvalidToken } from '#core/errors.ts';
import { renderUnsubscribePage, resolveEmailLocale } from '#core/emails.ts';
import { verifyToken } from '#core/tokens.ts';
import { unsubscribeCustomer } from '#data/mail-ledger.ts';
import { getCustomer } from '#data/customers.ts';
import { httpHandler, type HttpResult } from '#runtime/http.ts';
import { logger } from '#runtime/logger.ts';
import { signingKeyring } from '#runtime/secrets.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { routes } from './routes.ts';

const db = tableFromEnv();

const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'no-referrer',
  'x-robots-tag': 'noindex, nofollow',
};

/** The customer an unsubscribe link names; a bad or expired link is 403. */
async function customerOf(token: string | undefined): Promise<string> {
  const claims = verifyToken(await signingKeyring(), token, 'unsubscribe', Date.now());
  if (!claims) throw new InvalidToken('The unsubscribe link is invalid or expired.');
  return claims.customerId;
}

const page = (content: string): HttpResult => ({
  status: 200,
  text: { contentType: 'text/html; charset=utf-8', content },
  headers: PAGE_HEADERS,
});

export const handler = httpHandler(routes, {
  // A page with a confirm button: link scanners prefetch GETs, so the GET itself changes nothing.
  'GET /v1/unsubscribe': {
    handle: async (req) => {
      const customerId = await customerOf(req.query.token);
      const customer = await getCustomer(db, customerId);
      const locale = resolveEmailLocale(customer?.locale);
      if (customer?.unsubscribed) return page(renderUnsubscribePage(locale, 'done'));
      return page(renderUnsubscribePage(locale, { action: `/v1/unsubscribe?token=${encodeURIComponent(req.query.token!)}` }));
    },
  },
  // RFC 8058 one-click (mail clients POST `List-Unsubscribe=One-Click`, form-encoded or multipart) and the page's
  // button: any POST with a valid link does it, whatever its body.
  'POST /v1/unsubscribe': {
    handle: async (req) => {
      const customerId = await customerOf(req.query.token);
      const found = await unsubscribeCustomer(db, customerId, new Date().toISOString());
      logger.info('CustomerUnsubscribed', { customerId, found });
      if (req.mediaType === 'text/html') {
        const customer = found ? await getCustomer(db, customerId) : undefined;
        return page(renderUnsubscribePage(resolveEmailLocale(customer?.locale), 'done'));
      }
      return { status: 200, body: { unsubscribed: true } };
    },
  },
});
