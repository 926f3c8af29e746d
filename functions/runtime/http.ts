import middy from '@middy/core';
import httpContentNegotiation, { type Context as NegotiationContext } from '@middy/http-content-negotiation';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod/mini';
import { issuesOf } from '#core/validation-messages.ts';
import { grants, keyIdOf, secretMatches, type Scope } from '#core/api-keys.ts';
import { secretsEqual } from '#core/tokens.ts';
import { getApiKeyCached } from '#data/api-keys.ts';
import type { Db } from '#data/db.ts';
import {
  DomainError,
  Forbidden,
  NotFound,
  PayloadTooLarge,
  Unauthorized,
  UnsupportedMediaType,
  ValidationFailed,
  type Issue,
} from '#core/errors.ts';
import { ENV } from './env.ts';
import { logger } from './logger.ts';
import { scopeOf, type Auth, type RouteSpec, type RouteSpecs } from './routes.ts';
import { adminToken } from './secrets.ts';
import { tableFromEnv } from './wiring.ts';

export const MAX_BODY_BYTES = 16 * 1024;

type Parsed<R, K extends string, Otherwise> = R extends { [P in K]: infer S extends z.ZodMiniType } ? z.output<S> : Otherwise;

/** What a route's handler gets: the request, parsed and validated with the route's schemas. */
export interface HttpRequest<R extends RouteSpec = RouteSpec> {
  routeKey: string;
  params: Parsed<R, 'params', Record<string, string>>;
  query: Parsed<R, 'query', Record<string, string>>;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The parsed body; undefined when the body is empty and the route declares no schema. */
  body: Parsed<R, 'body', unknown>;
  rawBody: string;
  /** Who sent a valid credential holding the route's scope; undefined for anonymous callers (public, optional routes). */
  caller: Caller | undefined;
  /** Base URL for links this request hands out. */
  origin: string;
  /** Of the route's `produces`, the one `Accept` prefers (the first when none is acceptable). */
  mediaType: string | undefined;
  /** Of the route's `languages`, the one `Accept-Language` prefers; undefined when none matches. */
  language: string | undefined;
}

export interface HttpResult {
  status: number;
  /** Serialised as JSON unless `text` is given. */
  body?: unknown;
  /** A non-JSON body (CSV, HTML) with its content type. */
  text?: { contentType: string; content: string };
  headers?: Record<string, string>;
}

/** Turns a zod result into a 400 with the contract's issues, or the parsed value; `at` names a lone value (a path parameter). */
export function parse<T>(schema: z.ZodMiniType<T>, data: unknown, at?: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new ValidationFailed(issuesOf(result.error.issues, at ? [at] : []));
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 => ({
  statusCode: status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...BASE_HEADERS, ...headers },
  body: JSON.stringify(body),
});

const BASE_HEADERS = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' };

export function errorBody(code: string, message: string, issues?: Issue[]) {
  return { error: issues ? { code, message, issues } : { code, message } };
}

function mediaType(headers: Record<string, string>): 'json' | 'form' | 'other' {
  const type = (headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json') return 'json';
  if (type === 'application/x-www-form-urlencoded') return 'form';
  return 'other';
}

function readBody(
  event: APIGatewayProxyEventV2,
  headers: Record<string, string>,
  route: RouteSpec,
): { raw: string; body: unknown } {
  const bytes = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  if (bytes.length > MAX_BODY_BYTES) throw new PayloadTooLarge(MAX_BODY_BYTES);
  if (bytes.length === 0 || route.accepts === 'any') return { raw: '', body: undefined };
  const type = mediaType(headers);
  const accepts = route.accepts ?? ['json'];
  if (type === 'other' || !accepts.includes(type)) throw new UnsupportedMediaType();
  let raw: string;
  try {
    raw = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationFailed([{ path: '', message: 'The body is not valid UTF-8.' }], 'The body is not valid UTF-8.');
  }
  if (type === 'form') return { raw, body: Object.fromEntries(new URLSearchParams(raw)) };
  let body: unknown;
  try {
    body = JSON.parse(raw);
  } catch {
    throw new ValidationFailed([{ path: '', message: 'The body is not valid JSON.' }], 'The body is not valid JSON.');
  }
  const hostile = hostileJson(body);
  if (hostile) throw new ValidationFailed([hostile]);
  return { raw, body };
}

const LONE_SURROGATE = /\p{Cs}/u;

/**
 * What schemas cannot catch: zod drops `__proto__` keys without validating them, and a lone surrogate is not
 * Unicode, so it cannot be stored as UTF-8. Walks iteratively: a 16 KiB body can nest 8,000 levels deep.
 */
function hostileJson(value: unknown): Issue | undefined {
  const stack: Array<[unknown, string]> = [[value, '']];
  while (stack.length > 0) {
    const [node, path] = stack.pop()!;
    if (typeof node === 'string' && LONE_SURROGATE.test(node)) return { path, message: 'The text is not valid Unicode.' };
    if (node === null || typeof node !== 'object') continue;
    for (const [key, child] of Object.entries(node)) {
      const at = path ? `${path}.${key}` : key;
      if (key === '__proto__') return { path: at, message: 'The key "__proto__" is not allowed.' };
      if (LONE_SURROGATE.test(key)) return { path, message: 'A key is not valid Unicode.' };
      stack.push([child, at]);
    }
  }
  return undefined;
}

/** Who is calling, once the bearer credential is checked: the stack's admin token, or an API key with its scopes. */
export type Caller = { kind: 'adminToken' } | { kind: 'key'; keyId: string; scopes: readonly Scope[] };

let keyTable: Db | undefined; // wired on the first key, so functions whose routes are all public need no table

/** The caller a bearer credential names, or undefined: the admin token first (constant time), else a key by id + hash. */
async function callerOf(credential: string): Promise<Caller | undefined> {
  if (secretsEqual(credential, await adminToken())) return { kind: 'adminToken' };
  const keyId = keyIdOf(credential);
  if (keyId === undefined) return undefined;
  const key = await getApiKeyCached((keyTable ??= tableFromEnv()), keyId);
  if (!key || !secretMatches(credential, key.secretHash)) return undefined;
  return { kind: 'key', keyId, scopes: key.scopes };
}

/**
 * Checks the route's auth against the Authorization header, once per request: 401 without a valid credential (where
 * one is needed, or when a wrong one is sent), 403 `forbidden` for a key without the route's scope. Public routes
 * never read credentials: deployed, their functions cannot.
 */
async function authorize(headers: Record<string, string>, auth: Auth): Promise<Caller | undefined> {
  const needed = scopeOf(auth);
  if (needed === undefined) return undefined;
  const header = headers.authorization;
  if (header === undefined) {
    if (typeof auth === 'object') return undefined; // optional: an anonymous caller
    throw new Unauthorized();
  }
  const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header); // the scheme is case-insensitive (RFC 9110)
  const caller = match ? await callerOf(match[1]!) : undefined;
  if (!caller) throw new Unauthorized('The admin token or API key is wrong, or the key was revoked.');
  if (caller.kind === 'key') {
    logger.appendKeys({ keyId: caller.keyId }); // this request's log lines say which key made it
    if (!grants(caller.scopes, needed)) throw new Forbidden(`This API key does not have the "${needed}" scope this route needs.`);
  }
  return caller;
}

function origin(event: APIGatewayProxyEventV2, headers: Record<string, string>): string {
  const configured = process.env[ENV.publicBaseUrl];
  if (configured) return configured.replace(/\/+$/, '');
  const proto = headers['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  return `${proto}://${event.requestContext.domainName}`;
}

function toResult(result: HttpResult): APIGatewayProxyStructuredResultV2 {
  if (result.text) {
    return {
      statusCode: result.status,
      headers: { 'content-type': result.text.contentType, ...BASE_HEADERS, ...result.headers },
      body: result.text.content,
    };
  }
  if (result.body === undefined) return { statusCode: result.status, headers: { ...BASE_HEADERS, ...result.headers } };
  return json(result.status, result.body, result.headers);
}

/** Maps thrown errors to the contract's error shape; anything unexpected is a generic 500 and a log line. */
const errorResponses = (): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> => ({
  onError: (request) => {
    const error = request.error;
    if (error instanceof DomainError) {
      request.response = json(error.status, errorBody(error.code, error.message, error.issues));
      return;
    }
    logger.error('Unhandled error', { error: error as Error });
    request.response = json(500, errorBody('internal_error', 'Something went wrong on our side; try again later.'));
  },
});

type Negotiated = Partial<Pick<NegotiationContext, 'preferredMediaType' | 'preferredLanguage'>>;

/**
 * middy's content negotiation, with each route's own `produces` and `languages` (one negotiator per route). Nothing
 * acceptable is not a 406: the route answers its default type, as it always has.
 */
function negotiation(
  specs: RouteSpecs,
): middy.MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context> {
  const negotiators = new Map(
    Object.entries(specs).map(([routeKey, spec]) => [
      routeKey,
      httpContentNegotiation({
        parseCharsets: false,
        parseEncodings: false,
        parseLanguages: spec.languages !== undefined,
        availableLanguages: spec.languages && [...spec.languages],
        parseMediaTypes: spec.produces !== undefined,
        availableMediaTypes: spec.produces && [...spec.produces],
        failOnMismatch: false,
      }),
    ]),
  );
  return {
    before: async (request) => {
      await negotiators.get(request.event.routeKey)?.before?.(request as never);
    },
  };
}

/** Request headers the route declares, validated; a failure names the header as documented. */
function checkHeaders(spec: RouteSpec, headers: Record<string, string>): void {
  for (const [name, { schema }] of Object.entries(spec.headers ?? {})) parse(schema, headers[name.toLowerCase()], name);
}

export type RouteHandlers<S extends RouteSpecs> = { [K in keyof S]: { handle(req: HttpRequest<S[K]>): Promise<HttpResult> } };

type Authorizer = (headers: Record<string, string>, auth: Auth) => Promise<Caller | undefined>;

/**
 * The one middy stack of every HTTP function: logging context, error mapping, header names lower-cased, content
 * negotiation, then dispatch by route key. The credential is checked against the route's auth first; then each
 * route's params, query, headers and body are validated with the schemas its declaration gives (400 with the
 * contract's issues) before its handler runs.
 */
export const httpHandler = <S extends RouteSpecs>(specs: S, handlers: RouteHandlers<S>) => httpStack(specs, handlers, authorize);

/**
 * The same stack for a function whose routes are all public (the health check): it never reads a credential, so its
 * bundle holds no key lookup and the function needs neither the admin token nor the table.
 */
export function publicHttpHandler<S extends RouteSpecs>(specs: S, handlers: RouteHandlers<S>) {
  const guarded = Object.keys(specs).filter((key) => specs[key]!.auth !== 'public');
  if (guarded.length > 0) throw new Error(`publicHttpHandler serves public routes only, not ${guarded.join(', ')}`);
  return httpStack(specs, handlers, async () => undefined);
}

function httpStack<S extends RouteSpecs>(specs: S, handlers: RouteHandlers<S>, authorizer: Authorizer) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorResponses())
    .use(httpHeaderNormalizer() as middy.MiddlewareObj<APIGatewayProxyEventV2>)
    .use(negotiation(specs))
    .handler(async (event, context) => {
      const spec: RouteSpec | undefined = specs[event.routeKey];
      const route = handlers[event.routeKey];
      if (!spec || !route) throw new NotFound(`${event.requestContext.http.method} ${event.rawPath}`);
      const headers = (event.headers ?? {}) as Record<string, string>;
      const caller = await authorizer(headers, spec.auth);
      const { raw, body } = readBody(event, headers, spec);
      const params = event.pathParameters ?? {};
      // An empty value is no value: `?cursor=` on a first page, or a form's blank field, means the default.
      const query = Object.fromEntries(Object.entries(event.queryStringParameters ?? {}).filter(([, value]) => value !== ''));
      const negotiated = context as Context & Negotiated;
      const req: HttpRequest = {
        routeKey: event.routeKey,
        params: (spec.params ? parse(spec.params, params) : params) as Record<string, string>,
        query: (spec.query ? parse(spec.query, query) : query) as Record<string, string>,
        headers,
        body: spec.body ? parse(spec.body, body) : body,
        rawBody: raw,
        caller,
        origin: origin(event, headers),
        mediaType: spec.produces && (negotiated.preferredMediaType ?? spec.produces[0]),
        language: spec.languages && negotiated.preferredLanguage,
      };
      checkHeaders(spec, headers);
      return toResult(await route.handle(req));
    });
}
