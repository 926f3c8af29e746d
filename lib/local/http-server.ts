import { isUtf8 } from 'node:buffer';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { corsHeaders, preflightHeaders } from '../cors.ts';
import { FUNCTIONS, routesOf, type FunctionSpec } from '../manifest.ts';
import { lambdaContext, loadHandler } from './lambda-runtime.ts';
import { PortInUse } from './ports.ts';

/** API Gateway's own cap on a request body; handlers enforce the contract's smaller limit themselves. */
const GATEWAY_MAX_BODY_BYTES = 10 * 1024 * 1024;
/** The request line and headers Node reads (its default is 16 KiB): a long query reaches the handler's checks. */
const MAX_HEADER_BYTES = 64 * 1024;
const TEXT_TYPES = /^(application\/(json|x-www-form-urlencoded|xml)|text\/)/i;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

interface CompiledRoute {
  routeKey: string;
  method: string;
  pattern: RegExp;
  params: string[];
  fn: FunctionSpec;
}

/** Compiles `GET /v1/surveys/{surveyId}` (and `{proxy+}`) into a matcher, as API Gateway matches routes. */
function compile(routeKey: string, fn: FunctionSpec): CompiledRoute {
  if (routeKey === '$default') return { routeKey, method: 'ANY', pattern: /^$(?!)/, params: [], fn };
  const [method, path] = routeKey.split(' ') as [string, string];
  const params: string[] = [];
  const source = path
    .replace(/[.*+?^${}()|[\]\\]/g, (c) => `\\${c}`)
    .replace(/\\\{(\w+)(\\\+)?\\\}/g, (_, name: string, greedy) => {
      params.push(name);
      return greedy ? '(.+)' : '([^/]+)';
    });
  return { routeKey, method, pattern: new RegExp(`^${source}$`), params, fn };
}

/** Malformed percent-encoding (`%E0%A4%A`) is passed on as is, for the handler to reject, instead of throwing. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The body, or 'too_large' once it is read to its end (a client still sending would not read an early answer). */
async function readBody(req: IncomingMessage): Promise<Buffer | 'too_large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= GATEWAY_MAX_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return size > GATEWAY_MAX_BODY_BYTES ? 'too_large' : Buffer.concat(chunks);
}

/** The contract's error shape, for what the server answers itself, before or instead of a handler. */
const errorResult = (statusCode: number, code: string, message: string): APIGatewayProxyStructuredResultV2 => ({
  statusCode,
  body: JSON.stringify({ error: { code, message } }),
});
const INTERNAL_ERROR = errorResult(500, 'internal_error', 'Something went wrong on our side; try again later.');

/**
 * An HTTP server that does what API Gateway's HTTP API does for the manifest's routes: builds a payload 2.0
 * event and calls the very handler Lambda runs. Unmatched requests go to the `$default` route.
 */
export async function startApi(options: {
  port: number;
  host?: string;
  functions?: readonly FunctionSpec[];
  /** Config `allowedOrigins`: browsers there may submit responses (CORS), as the deployed API allows. */
  allowedOrigins?: readonly string[];
}) {
  const host = options.host ?? '127.0.0.1';
  const allowedOrigins = options.allowedOrigins ?? [];
  const routes = routesOf(options.functions ?? FUNCTIONS).map(({ routeKey, fn }) => compile(routeKey, fn));
  const fallback = routes.find((r) => r.routeKey === '$default');
  const handlers = new Map<string, Promise<Handler>>();
  const load = (fn: FunctionSpec) => {
    if (!handlers.has(fn.entry)) {
      handlers.set(fn.entry, loadHandler<Handler>(fn));
    }
    return handlers.get(fn.entry)!;
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    // Prefixed, not resolved against a base: `//x/health` is a path here, as at API Gateway, not a host.
    const url = new URL(`http://local${req.url ?? '/'}`);
    const method = req.method ?? 'GET';
    const origin = req.headers.origin;
    // With CORS configured, API Gateway answers every preflight itself, before any route.
    if (allowedOrigins.length > 0 && method === 'OPTIONS' && req.headers['access-control-request-method']) {
      const headers = preflightHeaders(origin, req.headers['access-control-request-method'], allowedOrigins);
      res.writeHead(204, headers);
      return void res.end();
    }
    let route: CompiledRoute | undefined;
    let match: RegExpExecArray | null = null;
    for (const candidate of routes) {
      if (candidate.method !== method && candidate.method !== 'ANY') continue;
      match = candidate.pattern.exec(url.pathname);
      if (match) {
        route = candidate;
        break;
      }
    }
    route ??= fallback;
    if (!route) return send(res, errorResult(404, 'not_found', `No route for ${method} ${url.pathname}.`));

    const body = await readBody(req);
    if (body === 'too_large') return send(res, errorResult(413, 'payload_too_large', 'The body is over 10 MiB.'));
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (value !== undefined && name !== 'cookie') headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
    headers['x-forwarded-proto'] = 'http';
    const query: Record<string, string> = {};
    for (const [name, value] of url.searchParams) query[name] = name in query ? `${query[name]},${value}` : value;
    // API Gateway passes text as text, and anything else, invalid UTF-8 included, base64-encoded: handlers see the bytes.
    const isText = body.length === 0 || (TEXT_TYPES.test(headers['content-type'] ?? '') && isUtf8(body));
    const now = new Date();
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: route.routeKey,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      cookies: req.headers.cookie?.split(';').map((c) => c.trim()),
      headers,
      queryStringParameters: Object.keys(query).length ? query : undefined,
      pathParameters:
        match && route.params.length
          ? Object.fromEntries(route.params.map((name, i) => [name, decodePathSegment(match[i + 1]!)]))
          : undefined,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: headers.host ?? host,
        domainPrefix: 'local',
        http: {
          method,
          path: url.pathname,
          protocol: `HTTP/${req.httpVersion}`,
          sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: randomUUID(),
        routeKey: route.routeKey,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      },
      body: body.length ? body.toString(isText ? 'utf8' : 'base64') : undefined,
      isBase64Encoded: !isText,
    };
    try {
      const handler = await load(route.fn);
      const result = await handler(event, lambdaContext(route.fn));
      send(res, { ...result, headers: { ...result.headers, ...corsHeaders(origin, allowedOrigins) } });
    } catch (error) {
      console.error(JSON.stringify({ level: 'ERROR', message: 'Handler failed', function: route.fn.name, error: String(error) }));
      send(res, INTERNAL_ERROR);
    }
  };

  // Whatever escapes `serve` (a client that hangs up mid-body) ends that request, never the whole server.
  const server: Server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    serve(req, res).catch((error: unknown) => {
      console.error(JSON.stringify({ level: 'ERROR', message: 'Request failed', error: String(error) }));
      if (res.headersSent) res.destroy();
      else send(res, INTERNAL_ERROR);
    });
  });
  // A request Node cannot parse (headers over MAX_HEADER_BYTES, a broken request line) gets the contract's shape too.
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return void socket.destroy();
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const { statusCode, body } = tooLarge
      ? errorResult(431, 'payload_too_large', `The request line and headers are over ${MAX_HEADER_BYTES / 1024} KiB.`)
      : errorResult(400, 'validation_failed', 'The request is not valid HTTP.');
    const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
    socket.end(
      `HTTP/1.1 ${statusCode} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body!)}\r\n` +
        `connection: close\r\n\r\n${body}`,
    );
  });
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUse(options.port, 'port') : error),
    );
    server.listen(options.port, host, () => resolveListen());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host}:${port}`,
    stop: () => new Promise<void>((done) => server.close(() => done())),
  };
}

function send(res: ServerResponse, result: APIGatewayProxyStructuredResultV2) {
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  const body = result.body === undefined ? '' : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  res.writeHead(result.statusCode ?? 200, headers);
  res.end(body);
}
