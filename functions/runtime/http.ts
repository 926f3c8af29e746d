import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { z } from 'zod/mini';
import { secretsEqual } from '#core/tokens.ts';
import {
  DomainError,
  NotFound,
  PayloadTooLarge,
  Unauthorized,
  UnsupportedMediaType,
  ValidationFailed,
  type Issue,
} from '#core/errors.ts';
import { ENV } from './env.ts';
import { logger } from './logger.ts';
import { adminToken } from './secrets.ts';

export const MAX_BODY_BYTES = 16 * 1024;

export interface HttpRequest {
  routeKey: string;
  params: Record<string, string>;
  query: Record<string, string>;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The parsed JSON or form body; undefined when the body is empty. */
  body: unknown;
  rawBody: string;
  /** True when a valid admin token came with the request. */
  isAdmin: boolean;
  /** Base URL for links this request hands out. */
  origin: string;
}

export interface HttpResult {
  status: number;
  /** Serialised as JSON unless `text` is given. */
  body?: unknown;
  /** A non-JSON body (CSV, HTML) with its content type. */
  text?: { contentType: string; content: string };
  headers?: Record<string, string>;
}

export interface Route {
  /**
   * `admin`: 401 without the admin token. `adminOptional`: open, and the admin token, when sent, unlocks more (a
   * wrong one is 401). `public`: open; an Authorization header is ignored (the function cannot read the token).
   */
  auth: 'admin' | 'adminOptional' | 'public';
  /** Body types accepted; JSON unless said otherwise. `any`: the body is not read (beyond the size limit). */
  accepts?: ReadonlyArray<'json' | 'form'> | 'any';
  handle(req: HttpRequest): Promise<HttpResult>;
}

export type Routes = Record<string, Route>;

/** Turns a zod result into a 400 with the contract's issues, or the parsed value; `at` names a lone value (a path parameter). */
export function parse<T>(schema: z.ZodMiniType<T>, data: unknown, at?: string): T {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  throw new ValidationFailed(
    result.error.issues.map((i) => ({ path: [...(at ? [at] : []), ...i.path.map(String)].join('.'), message: i.message })),
  );
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

function readBody(event: APIGatewayProxyEventV2, headers: Record<string, string>, route: Route): { raw: string; body: unknown } {
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

async function isAdmin(headers: Record<string, string>, auth: Route['auth']): Promise<boolean> {
  const header = headers.authorization;
  if (auth === 'public') return false;
  if (header === undefined) {
    if (auth === 'admin') throw new Unauthorized();
    return false;
  }
  const match = /^Bearer ([\x21-\x7e]{1,512})$/i.exec(header); // the scheme is case-insensitive (RFC 9110)
  if (!match || !secretsEqual(match[1]!, await adminToken())) throw new Unauthorized('The admin token is wrong.');
  return true;
}

function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] = {}): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
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

/** The one middy stack of every HTTP function: logging context, error mapping, then dispatch by route key. */
export function httpHandler(routes: Routes) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(errorResponses())
    .handler(async (event) => {
      const route = routes[event.routeKey];
      if (!route) throw new NotFound(`${event.requestContext.http.method} ${event.rawPath}`);
      const headers = lowerCaseHeaders(event.headers);
      const admin = await isAdmin(headers, route.auth);
      const { raw, body } = readBody(event, headers, route);
      const req: HttpRequest = {
        routeKey: event.routeKey,
        params: (event.pathParameters ?? {}) as Record<string, string>,
        query: (event.queryStringParameters ?? {}) as Record<string, string>,
        headers,
        body,
        rawBody: raw,
        isAdmin: admin,
        origin: origin(event, headers),
      };
      return toResult(await route.handle(req));
    });
}
