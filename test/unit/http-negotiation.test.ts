import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { pickLocale } from '../../functions/pages/i18n.ts';
import { httpHandler } from '../../functions/runtime/http.ts';
import { defineRoutes } from '../../functions/runtime/routes.ts';
import { routes as listRoutes } from '../../functions/list-responses/routes.ts';
import { routes as pageRoutes } from '../../functions/serve-pages/routes.ts';
import { routes as unsubscribeRoutes } from '../../functions/unsubscribe-customer/routes.ts';
import { PAGE_LOCALE_CASES } from '../support/locale-cases.ts';

const context = { getRemainingTimeInMillis: () => 10_000, functionName: 'probe', awsRequestId: 'r' } as unknown as Context;

function event(
  routeKey: string,
  headers: Record<string, string>,
  extra: Partial<APIGatewayProxyEventV2> = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey,
    rawPath: '/probe',
    rawQueryString: '',
    headers,
    requestContext: { domainName: 'api.example', http: { method: 'GET', path: '/probe' } },
    isBase64Encoded: false,
    ...extra,
  } as unknown as APIGatewayProxyEventV2;
}

/** A handler with the declarations of `routes` that answers what the request negotiated. */
function echo<R extends Record<string, any>>(routes: R, routeKey: keyof R & string) {
  const handler = httpHandler(
    { [routeKey]: { ...routes[routeKey], auth: 'public' } } as R,
    {
      [routeKey]: {
        handle: async (req: any) => ({
          status: 200,
          body: { mediaType: req.mediaType, language: req.language, query: req.query },
        }),
      },
    } as any,
  );
  return async (headers: Record<string, string>, extra?: Partial<APIGatewayProxyEventV2>) => {
    const res = await handler(event(routeKey, headers, extra), context);
    return { status: res.statusCode, body: JSON.parse(res.body ?? '{}') };
  };
}

describe('content negotiation', () => {
  const listing = echo(listRoutes, 'GET /v1/surveys/{surveyId}/responses');

  it.each([
    [{}, 'application/json'],
    [{ accept: 'text/csv' }, 'text/csv'],
    [{ accept: 'text/csv;q=0' }, 'application/json'],
    [{ accept: 'application/json;q=0.5, text/csv' }, 'text/csv'],
    [{ accept: 'text/csv;q=0.5, application/json' }, 'application/json'],
    [{ accept: '*/*' }, 'application/json'],
    [{ accept: 'image/png' }, 'application/json'],
    [{ Accept: 'text/csv' }, 'text/csv'],
    [{ ACCEPT: 'TEXT/CSV' }, 'text/csv'],
  ])('lists responses with %o as %s, never a 406', async (headers, mediaType) => {
    const res = await listing(headers, { pathParameters: { surveyId: 's-1' } });
    expect(res).toMatchObject({ status: 200, body: { mediaType } });
  });

  it.each([
    [{}, 'application/json'],
    [{ accept: 'text/html' }, 'text/html'],
    [{ accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' }, 'text/html'],
    [{ accept: 'text/html;q=0' }, 'application/json'],
  ])('unsubscribes with %o answering %s', async (headers, mediaType) => {
    const res = await echo(unsubscribeRoutes, 'POST /v1/unsubscribe')(headers);
    expect(res.body.mediaType).toBe(mediaType);
  });

  // The cases of pickLocale's own table (test/unit/pages.test.ts), now negotiated by middy.
  it.each(PAGE_LOCALE_CASES)(
    'picks the page language from lang=%s and Accept-Language %s: %s',
    async (lang, acceptLanguage, locale) => {
      const headers: Record<string, string> = acceptLanguage ? { 'Accept-Language': acceptLanguage } : {};
      const res = await echo(pageRoutes, 'GET /s/{surveyId}')(headers, { queryStringParameters: lang ? { lang } : {} });
      expect(pickLocale(res.body.query.lang, res.body.language)).toBe(locale);
    },
  );

  it('finds no page language when Accept-Language names none of ours', async () => {
    expect((await echo(pageRoutes, 'GET /s/{surveyId}')({ 'accept-language': 'de-DE, fr;q=0.9' })).body.language).toBeUndefined();
  });

  it('leaves routes that declare nothing to negotiate alone', async () => {
    const handler = httpHandler(
      defineRoutes({ 'GET /probe': { auth: 'public', summary: 'Probe', responses: { 200: { description: 'ok' } }, errors: [] } }),
      {
        'GET /probe': {
          handle: async (req) => ({ status: 200, body: { mediaType: req.mediaType ?? null, headers: req.headers } }),
        },
      },
    );
    const res = await handler(event('GET /probe', { Accept: 'text/csv', 'X-Mixed-Case': 'yes' }), context);
    expect(JSON.parse(res.body!)).toEqual({ mediaType: null, headers: { accept: 'text/csv', 'x-mixed-case': 'yes' } });
  });
});

describe('declared schemas', () => {
  const probe = (query: Record<string, string>, headers: Record<string, string> = {}) =>
    httpHandler(
      defineRoutes({
        'GET /probe/{id}': {
          auth: 'public',
          summary: 'Probe',
          params: z.object({ id: z.string().check(z.regex(/^[a-z]+$/, 'Letters.')) }),
          query: z.object({ n: z._default(z.pipe(z.string(), z.transform(Number)), 1) }),
          headers: { 'X-Key': { description: 'A key.', schema: z.optional(z.string().check(z.maxLength(3, 'Short.'))) } },
          responses: { 200: { description: 'ok' } },
          errors: [],
        },
      }),
      { 'GET /probe/{id}': { handle: async (req) => ({ status: 200, body: { id: req.params.id, n: req.query.n } }) } },
    )(event('GET /probe/{id}', headers, { pathParameters: { id: query.id ?? 'abc' }, queryStringParameters: query }), context);

  it('hands the handler parsed values', async () => {
    expect(JSON.parse((await probe({ n: '5' })).body!)).toEqual({ id: 'abc', n: 5 });
  });

  it('answers 400 naming the path parameter, the query parameter or the header', async () => {
    const bad = await probe({ id: 'ABC' });
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body!).error).toEqual({
      code: 'validation_failed',
      message: expect.any(String),
      issues: [{ path: 'id', message: 'Letters.' }],
    });
    const header = await probe({}, { 'x-key': 'long' });
    expect(JSON.parse(header.body!).error.issues).toEqual([{ path: 'X-Key', message: 'Short.' }]);
  });
});
