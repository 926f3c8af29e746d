/**
 * `npm run openapi`: writes docs/openapi.json, the API reference, from the routes' own declarations: each HTTP
 * function's `routes.ts` (next to its handler in lib/manifest.ts) gives every route's auth, summary, and the zod
 * schemas its handler validates with (path, query, headers, body) and answers with. So the reference cannot drift
 * from the code; test/unit/openapi.test.ts fails when the file is stale, or when a manifest route has no
 * declaration (or a declaration no manifest route).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod/mini';
import { FUNCTIONS, type FunctionSpec } from '../lib/manifest.ts';
import { apiComponents, scopeOf, type Answer, type Auth, type RouteSpec, type RouteSpecs } from '../functions/runtime/routes.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the document lives, absolute. */
export const OPENAPI_FILE = resolve(ROOT, 'docs/openapi.json');

type Json = Record<string, unknown>;

/** Unmatched requests: the contract's 404, answered by whichever function API Gateway sends them to. */
const DEFAULT_ROUTE = '$default';

export interface DeclaredRoute {
  fn: FunctionSpec;
  routeKey: string;
  spec: RouteSpec;
}

/** A function's route declarations: `routes.ts` beside its handler. */
export const routesModuleOf = (fn: FunctionSpec) => resolve(ROOT, dirname(fn.entry), 'routes.ts');

/**
 * Every manifest route with its declaration. Imports each function's `routes.ts` (no wiring runs), and fails when a
 * manifest route has no declaration or a declaration has no manifest route: both lists must say the same.
 */
export async function declaredRoutes(functions: readonly FunctionSpec[] = FUNCTIONS): Promise<DeclaredRoute[]> {
  const found: DeclaredRoute[] = [];
  const problems: string[] = [];
  for (const fn of functions) {
    const keys = (fn.routes ?? []).filter((key) => key !== DEFAULT_ROUTE);
    if (keys.length === 0) continue;
    const { routes } = (await import(pathToFileURL(routesModuleOf(fn)).href)) as { routes?: RouteSpecs };
    const declared = Object.keys(routes ?? {});
    for (const key of keys.filter((k) => !declared.includes(k)))
      problems.push(
        `${fn.name}: ${key} is in lib/manifest.ts but not declared in ${fn.entry.replace(/handler\.ts$/, 'routes.ts')}`,
      );
    for (const key of declared.filter((k) => !keys.includes(k)))
      problems.push(`${fn.name}: ${key} is declared but not in lib/manifest.ts`);
    for (const key of keys.filter((k) => declared.includes(k))) found.push({ fn, routeKey: key, spec: routes![key]! });
  }
  if (problems.length) throw new Error(`Routes and manifest disagree:\n${problems.join('\n')}`);
  return found;
}

// ---- schemas ----

const strip = ({ $schema: _schema, $id: _id, ...rest }: Json) => rest;

/** A parameter's or header's schema as the value it stands for (a `limit` is an integer, though sent as text). */
const valueSchema = (schema: z.ZodMiniType): Json =>
  strip(
    z.toJSONSchema(schema, {
      io: 'output',
      unrepresentable: 'any',
      // What a bad value falls back to (`z.catch`) is not a default anyone should send.
      override: ({ zodSchema, jsonSchema }) => {
        if (zodSchema._zod.def.type === 'catch') delete jsonSchema.default;
      },
    }),
  );

/** All components at once, so a schema used inside another (Response in CustomerHistory) becomes a $ref. */
function componentSchemas(): Record<string, Json> {
  const pass = (io: 'input' | 'output') =>
    (
      z.toJSONSchema(apiComponents, {
        io,
        unrepresentable: 'any',
        uri: (id) => `#/components/schemas/${id}`,
        // Timestamps the service writes need no 300-character pattern: the format says it.
        override: ({ jsonSchema }) => {
          if (io === 'output' && jsonSchema.format === 'date-time') delete jsonSchema.pattern;
        },
      }) as { schemas: Record<string, Json> }
    ).schemas;
  const [input, output] = [pass('input'), pass('output')];
  const ids = Object.keys(output).sort();
  return Object.fromEntries(ids.map((id) => [id, strip((isInput(id) ? input : output)[id]!)]));
}

/** Request bodies are named `…Input` and documented as accepted; everything else as answered. */
const isInput = (id: string) => id.endsWith('Input');

/** A component's $ref; a body prepared before it is checked (`z.pipe(z.transform(…), Component)`) shows the component. */
function ref(schema: z.ZodMiniType, at: string) {
  const def = schema._zod.def as { type: string; out?: z.ZodMiniType };
  const id = apiComponents.get(def.type === 'pipe' && def.out ? def.out : schema)?.id;
  if (!id) throw new Error(`${at}: name the schema with component('Name', schema) in its routes.ts`);
  return { $ref: `#/components/schemas/${id}` };
}

// ---- operations ----

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'validation_failed: the body, a path or query parameter or a header is not valid (see issues).',
  401: 'unauthorized: the admin token or API key is missing or wrong, or the key was revoked.',
  403:
    'forbidden: the API key does not have the scope this route needs; or (POST /v1/responses) invalid_token: the link ' +
    'token is missing, invalid, expired or for another survey, or names another customer.',
  404: 'not_found',
  409: 'A conflict: idempotency_in_progress, or recontact_too_soon.',
  413: 'payload_too_large: the body is over 16 KiB.',
  415: 'unsupported_media_type: send JSON with Content-Type: application/json.',
  422: 'idempotency_key_reused: this Idempotency-Key came with another body.',
  500: 'internal_error',
};

/** The bearer credential, with the scope the route needs as its role (OpenAPI 3.1 allows roles on any scheme). */
function security(auth: Auth): Json[] {
  const scope = scopeOf(auth);
  if (scope === undefined) return [];
  return typeof auth === 'object' ? [{}, { bearer: [scope] }] : [{ bearer: [scope] }];
}

/** The route's scope in words, at the end of its description, where readers of the reference look. */
function scopeSentence(auth: Auth): string {
  const scope = scopeOf(auth);
  if (scope === undefined) return 'Public: no credential.';
  const key = scope === 'admin' ? 'an API key with scope `admin`' : `an API key with scope \`${scope}\` or \`admin\``;
  return typeof auth === 'object'
    ? `Open; a credential, when sent, must be the admin token or ${key}, and unlocks more.`
    : `Scope \`${scope}\`: the admin token or ${key}.`;
}

function parameters(routeKey: string, spec: RouteSpec): Json[] {
  const list = (where: 'path' | 'query', object: z.ZodMiniObject | undefined): Json[] => {
    if (!object) return [];
    const required = ((z.toJSONSchema(object, { io: 'input', unrepresentable: 'any' }) as Json).required ?? []) as string[];
    return Object.entries(object.shape as Record<string, z.ZodMiniType>).map(([name, schema]) =>
      parameter(name, where, where === 'path' || required.includes(name), schema),
    );
  };
  const declaredPath = list('path', spec.params);
  const pathNames = [...routeKey.matchAll(/\{(\w+)\+?\}/g)].map(([, name]) => name!);
  const path = pathNames.map(
    (name) => declaredPath.find((p) => p.name === name) ?? { name, in: 'path', required: true, schema: { type: 'string' } },
  );
  const headers = Object.entries(spec.headers ?? {}).map(([name, { description, schema }]) => ({
    ...parameter(name, 'header', !schema.safeParse(undefined).success, schema),
    description,
  }));
  return [...path, ...list('query', spec.query), ...headers];
}

/** A parameter, its description lifted from its schema to where OpenAPI readers look. */
function parameter(name: string, where: string, required: boolean, schema: z.ZodMiniType): Json {
  const { description, ...rest } = valueSchema(schema);
  return { name, in: where, required, ...(description ? { description } : {}), schema: rest };
}

function answer(answer: Answer, spec: RouteSpec, at: string): Json {
  const content: Json = {};
  if (answer.schema) content['application/json'] = { schema: ref(answer.schema, at) };
  if (answer.contentType) content[answer.contentType] = {};
  for (const type of spec.produces ?? []) content[type] ??= {};
  const headers = Object.entries(answer.headers ?? {}).map(([name, { description, schema }]) => [
    name,
    { description, schema: valueSchema(schema) },
  ]);
  return {
    description: answer.description,
    ...(headers.length ? { headers: Object.fromEntries(headers) } : {}),
    ...(Object.keys(content).length ? { content } : {}),
  };
}

function operation(routeKey: string, spec: RouteSpec): Json {
  const params = parameters(routeKey, spec);
  const errors = new Set([...spec.errors, ...(spec.auth === 'public' ? [] : [401, 403]), 500]);
  const responses: Json = Object.fromEntries(
    Object.entries(spec.responses).map(([status, a]) => [status, answer(a, spec, `${routeKey} ${status}`)]),
  );
  for (const status of [...errors].sort((a, b) => a - b)) responses[status] = { $ref: `#/components/responses/Error${status}` };
  return {
    operationId: operationId(routeKey),
    summary: spec.summary,
    description: [spec.description, scopeSentence(spec.auth)].filter(Boolean).join(' '),
    security: security(spec.auth),
    ...(params.length ? { parameters: params } : {}),
    ...(spec.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: ref(spec.body, `${routeKey} body`) } } } }
      : {}),
    responses,
  };
}

/** `PUT /v1/surveys/{surveyId}/links` → `putV1SurveysSurveyIdLinks`: stable, unique per route. */
function operationId(routeKey: string): string {
  const words = routeKey.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1))).join('');
}

// ---- the document ----

export async function buildOpenApi(): Promise<Json> {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string; license: string };
  const paths: Record<string, Json> = {};
  for (const { routeKey, spec } of await declaredRoutes()) {
    const [method, path] = routeKey.split(' ') as [string, string];
    const openApiPath = path.replace(/\{(\w+)\+\}/g, '{$1}');
    (paths[openApiPath] ??= {})[method.toLowerCase()] = operation(routeKey, spec);
  }
  const errorResponse = (description: string) => ({
    description,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Feedback service API',
      version: pkg.version,
      license: { name: pkg.license, identifier: pkg.license },
      description:
        'NPS, CSAT and CES surveys: signed links, exactly-once responses, scores and appreciation emails. ' +
        'JSON in and out, UTF-8; dates and periods are UTC; bodies over 16 KiB are rejected with 413. ' +
        'Generated from the route declarations (functions/*/routes.ts) by `npm run openapi`: do not edit by hand.',
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'npm start (PORT)' },
      {
        url: '{ApiUrl}',
        description: 'Deployed: the stack output ApiUrl',
        variables: { ApiUrl: { default: 'https://example.execute-api.us-east-1.amazonaws.com' } },
      },
    ],
    security: security('admin'),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'The admin token (FEEDBACK_ADMIN_TOKEN locally; deployed, the Secrets Manager secret of output ' +
            'AdminTokenSecretArn), which may call every route, or an API key (`fbk_…`, from POST /v1/keys) with the ' +
            'scope the route names: `admin` may call every route, `read` and `ingest` the routes that name them. A key ' +
            'without the scope is 403 forbidden; a revoked key is refused within 60 seconds.',
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_DESCRIPTIONS).map(([status, d]) => [`Error${status}`, errorResponse(d)]),
      ),
      schemas: componentSchemas(),
    },
  };
}

export const renderOpenApi = (doc: Json) => `${JSON.stringify(doc, null, 2)}\n`;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(OPENAPI_FILE, renderOpenApi(await buildOpenApi()));
  console.log('wrote docs/openapi.json');
}
