/**
 * `npm run openapi`: writes docs/openapi.json, the API reference, from the zod schemas the handlers validate with
 * (functions/core/schemas.ts) and the routes of lib/manifest.ts, so the reference cannot drift from the code.
 * test/unit/openapi.test.ts fails when the file is stale.
 *
 * Every manifest route is documented. A route listed in OPERATIONS gets its summary, auth, bodies and statuses;
 * a route added to the manifest without an entry still appears, with its path parameters and the error shape.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod/mini';
import { customerBody, customerId, IDEMPOTENCY_KEY, linkBody, responseBody, surveyBody, surveyId } from '#core/schemas.ts';
import { routesOf } from '../lib/manifest.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** Where the document lives, absolute. */
export const OPENAPI_FILE = resolve(ROOT, 'docs/openapi.json');

type Schema = z.ZodMiniType;
type Json = Record<string, unknown>;

// ---- response bodies, built from the request schemas so ranges and patterns are stated once ----

const timestamp = z.iso.datetime();
const r = responseBody.shape;

const Customer = z.extend(customerBody, {
  customerId,
  unsubscribed: z.boolean(),
  suppressed: z.optional(z.boolean().check(z.describe('Set when SES reported a bounce or complaint.'))),
  createdAt: timestamp,
  updatedAt: timestamp,
});

const Response = z.strictObject({
  responseId: z.string(),
  surveyId,
  customerId: r.customerId,
  nps: r.nps,
  csat: r.csat,
  ces: r.ces,
  comment: r.comment,
  channel: r.channel,
  attributes: r.attributes,
  submittedAt: timestamp,
  receivedAt: timestamp,
  createdAt: timestamp,
});

/** The document's components: request bodies (named `…Input`) as accepted, everything else as answered. */
const schemas = {
  Error: z.strictObject({
    error: z.strictObject({
      code: z.string().check(
        z.describe(
          'validation_failed 400, unauthorized 401, invalid_token 403, not_found 404, idempotency_in_progress 409, ' +
            'recontact_too_soon 409, payload_too_large 413, unsupported_media_type 415, idempotency_key_reused 422, ' +
            'rate_limited 429, internal_error 500',
        ),
      ),
      message: z.string(),
      issues: z.optional(
        z
          .array(z.strictObject({ path: z.string(), message: z.string() }))
          .check(z.describe('Only with validation_failed: what is wrong, and where (a dotted path; "" for the whole body).')),
      ),
    }),
  }),
  SurveyInput: surveyBody,
  Survey: z.extend(surveyBody, { surveyId, createdAt: timestamp, updatedAt: timestamp }),
  CustomerInput: customerBody,
  Customer,
  CustomerHistory: z.strictObject({
    customer: Customer,
    responses: z.array(Response).check(z.describe('Newest first.')),
    emails: z.array(z.record(z.string(), z.unknown())).check(z.describe('Appreciation emails sent, newest first.')),
  }),
  LinkInput: linkBody,
  Link: z.strictObject({
    token: z.string(),
    url: z.string().check(z.describe('The hosted survey page: <base>/s/{surveyId}?t=<token>.')),
    surveyId,
    customerId,
    expiresAt: timestamp,
  }),
  ResponseInput: responseBody.check(
    z.describe(
      'At least one of nps, csat, ces, each a question of the survey. A survey that is not anonymous needs its link ' +
        'token; customerId without a token, and submittedAt, need the admin token (imports).',
    ),
  ),
  ResponseAccepted: z.strictObject({
    responseId: z.string(),
    surveyId,
    customerId: z.nullable(customerId),
    receivedAt: timestamp,
    updated: z.optional(z.literal(true).check(z.describe('A later submission with the same link token replaced the answers.'))),
  }),
  Response,
  Health: z.strictObject({ status: z.literal('ok') }),
} satisfies Record<string, Schema>;

type SchemaName = keyof typeof schemas;

// ---- operations ----

type Auth = 'admin' | 'public' | 'optional-admin';

interface Body {
  /** A named schema, or none for a body that is not JSON. */
  schema?: SchemaName;
  contentType?: string;
  description: string;
}

interface Operation {
  summary: string;
  description?: string;
  auth: Auth;
  query?: Record<string, { description: string; schema?: Json }>;
  headers?: Record<string, { description: string; schema: Json }>;
  requestBody?: Body & { required?: boolean };
  responses: Record<number, Body & { headers?: Json }>;
  /** Error statuses, answered with the Error schema. */
  errors: number[];
}

const json = (schema: SchemaName, description: string): Body => ({ schema, description });
const html = (description: string): Body => ({ contentType: 'text/html', description });

/** The operations of the contract (../shared/CONTRACT.md). Routes the manifest lacks are left out of the document. */
export const OPERATIONS: Record<string, Operation> = {
  'GET /health': {
    summary: 'Health check',
    auth: 'public',
    responses: { 200: json('Health', 'The service answers.') },
    errors: [],
  },
  'PUT /v1/surveys/{surveyId}': {
    summary: 'Create or replace a survey',
    description: 'A replace keeps createdAt; fields left out take their defaults.',
    auth: 'admin',
    requestBody: { ...json('SurveyInput', 'The survey.'), required: true },
    responses: { 200: json('Survey', 'The survey as stored.') },
    errors: [400, 401, 413, 415],
  },
  'GET /v1/surveys/{surveyId}': {
    summary: 'Read a survey',
    auth: 'admin',
    responses: { 200: json('Survey', 'The survey.') },
    errors: [400, 401, 404],
  },
  'POST /v1/surveys/{surveyId}/links': {
    summary: "Create a customer's signed survey link",
    description:
      'An HMAC-signed token naming the survey and the customer, expiring after expiresInDays. 409 recontact_too_soon ' +
      "when the customer answered this survey within the survey's recontactDays.",
    auth: 'admin',
    requestBody: { ...json('LinkInput', 'Who the link is for.'), required: true },
    responses: { 201: json('Link', 'The link.') },
    errors: [400, 401, 404, 409, 413, 415],
  },
  'PUT /v1/customers/{customerId}': {
    summary: 'Create or replace a customer',
    description: 'A replace keeps createdAt and the unsubscribe state; optional fields left out are removed.',
    auth: 'admin',
    requestBody: { ...json('CustomerInput', 'The customer.'), required: true },
    responses: { 200: json('Customer', 'The customer as stored.') },
    errors: [400, 401, 413, 415],
  },
  'GET /v1/customers/{customerId}': {
    summary: 'Read a customer, their responses and the emails sent to them',
    auth: 'admin',
    responses: { 200: json('CustomerHistory', 'The customer and their history.') },
    errors: [400, 401, 404],
  },
  'POST /v1/responses': {
    summary: 'Submit a response',
    description:
      'One link, one response: a later submission with the same token replaces the answers (200, same responseId). ' +
      'With an Idempotency-Key, the same key and body within 24 hours answer the first status and body again with ' +
      '`Idempotent-Replayed: true`; the same key with another body is 422; while the first is in flight, 409. ' +
      'With the admin token, customerId without a token and submittedAt (not in the future) import history.',
    auth: 'optional-admin',
    headers: {
      'Idempotency-Key': {
        description: 'Makes retries safe: 1–255 visible ASCII characters, remembered for 24 hours.',
        schema: { type: 'string', pattern: IDEMPOTENCY_KEY.source },
      },
    },
    requestBody: { ...json('ResponseInput', 'The answers.'), required: true },
    responses: {
      201: { ...json('ResponseAccepted', 'Stored.'), headers: { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } } },
      200: { ...json('ResponseAccepted', "Replaced the answers of this link's response."), headers: { 'Idempotent-Replayed': { $ref: '#/components/headers/IdempotentReplayed' } } },
    },
    errors: [400, 401, 403, 404, 409, 413, 415, 422],
  },
  'GET /v1/surveys/{surveyId}/responses': {
    summary: "List a survey's responses",
    description: 'With `Accept: text/csv`, the same rows as CSV with a header row.',
    auth: 'admin',
    query: {
      from: { description: 'First day, YYYY-MM-DD (UTC).' },
      to: { description: 'Last day, YYYY-MM-DD (UTC).' },
      limit: { description: 'Page size, default 100.', schema: { type: 'integer', minimum: 1, default: 100 } },
      cursor: { description: 'nextCursor of the previous page.' },
    },
    responses: { 200: { description: '{"items":[…],"nextCursor":"…"}, or CSV.' } },
    errors: [400, 401, 404],
  },
  'GET /v1/surveys/{surveyId}/scores': {
    summary: "A survey's NPS, CSAT and CES over time",
    description: 'Read from the aggregates kept by the stream scorer. See the contract for the SCORES shape.',
    auth: 'admin',
    query: {
      from: { description: 'First day, YYYY-MM-DD (UTC); default: the 30 days that end on `to`.' },
      to: { description: 'Last day, YYYY-MM-DD (UTC); default today.' },
      interval: { description: 'day (default), week, month or total.', schema: { type: 'string', enum: ['day', 'week', 'month', 'total'] } },
      by: { description: 'channel, or attr.<name> for one of the survey’s segmentBy attributes.' },
    },
    responses: { 200: { description: 'The scores: total, series and, with by, segments.' } },
    errors: [400, 401, 404],
  },
  'POST /v1/campaigns/{campaignId}/runs': {
    summary: 'Run an appreciation campaign now',
    description: 'Body {"date":"YYYY-MM-DD","dryRun":false}. 200 when done within 20 seconds, else 202 and it goes on.',
    auth: 'admin',
    responses: { 200: { description: 'The finished run.' }, 202: { description: '{"runId":"…","status":"running"}' } },
    errors: [400, 401, 404, 413, 415],
  },
  'GET /v1/campaigns/{campaignId}/runs/{runId}': {
    summary: "A campaign run's progress",
    auth: 'admin',
    responses: { 200: { description: 'The run so far, or finished ("status":"done").' } },
    errors: [400, 401, 404],
  },
  'GET /v1/unsubscribe': {
    summary: 'Unsubscribe page',
    auth: 'public',
    query: { token: { description: "The signed unsubscribe token of the email's link." } },
    responses: { 200: html('A page with a confirm button.') },
    errors: [403],
  },
  'POST /v1/unsubscribe': {
    summary: 'Unsubscribe (RFC 8058 one-click)',
    description: 'Accepts the form body `List-Unsubscribe=One-Click`. Idempotent.',
    auth: 'public',
    query: { token: { description: "The signed unsubscribe token of the email's link." } },
    responses: { 200: { description: 'Unsubscribed.' } },
    errors: [403],
  },
  'GET /s/{surveyId}': {
    summary: 'Hosted survey page',
    description: "`t` is the customer's link token; `score` preselects the NPS answer. The page submits with a POST.",
    auth: 'public',
    query: {
      t: { description: 'The link token.' },
      score: { description: 'Preselected NPS answer, 0–10.', schema: { type: 'integer', minimum: 0, maximum: 10 } },
    },
    responses: { 200: html('The survey page.') },
    errors: [],
  },
  'GET /dashboard': {
    summary: 'Dashboard',
    description: 'Asks for the admin token in the browser, then shows scores over time, distributions, segments and comments.',
    auth: 'public',
    responses: { 200: html('The dashboard page.') },
    errors: [],
  },
};

const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: 'validation_failed: the body, a path parameter or a header is not valid (see issues).',
  401: 'unauthorized: the admin token is missing or wrong.',
  403: 'invalid_token: the link token is missing, invalid, expired or for another survey, or names another customer.',
  404: 'not_found',
  409: 'A conflict: idempotency_in_progress, or recontact_too_soon.',
  413: 'payload_too_large: the body is over 16 KiB.',
  415: 'unsupported_media_type: send JSON with Content-Type: application/json.',
  422: 'idempotency_key_reused: this Idempotency-Key came with another body.',
  429: 'rate_limited',
  500: 'internal_error',
};

/** Path parameters with a schema; any other parameter is a string. */
const PATH_PARAMETERS: Record<string, Schema> = { surveyId, customerId };

// ---- the document ----

function toJsonSchema(schema: Schema, io: 'input' | 'output'): Json {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Json;
  return rest;
}

/** All components at once, so a schema used inside another (Customer in CustomerHistory) becomes a $ref. */
function componentSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const pass = (io: 'input' | 'output') =>
    (
      z.toJSONSchema(registry, {
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
  return Object.fromEntries(
    Object.keys(schemas).map((id) => {
      const { $schema: _schema, $id: _id, ...rest } = (isInput(id as SchemaName) ? input : output)[id]!;
      return [id, rest];
    }),
  );
}

const ref = (name: SchemaName) => ({ $ref: `#/components/schemas/${name}` });
const isInput = (name: SchemaName) => name.endsWith('Input');

function content(body: Body) {
  if (body.schema) return { 'application/json': { schema: ref(body.schema) } };
  if (body.contentType) return { [body.contentType]: {} };
  return undefined;
}

function operation(routeKey: string, path: string, doc: Operation | undefined): Json {
  const parameters: Json[] = [...path.matchAll(/\{(\w+)\+?\}/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: PATH_PARAMETERS[name!] ? toJsonSchema(PATH_PARAMETERS[name!]!, 'input') : { type: 'string' },
  }));
  const errorRefs = (statuses: number[]) =>
    Object.fromEntries(statuses.map((status) => [status, { $ref: `#/components/responses/Error${status}` }]));
  if (!doc) {
    return {
      operationId: operationId(routeKey),
      summary: routeKey,
      description: 'Not yet described in scripts/openapi.ts.',
      ...(parameters.length ? { parameters } : {}),
      responses: { default: { $ref: '#/components/responses/Error' } },
    };
  }
  for (const [name, q] of Object.entries(doc.query ?? {})) {
    parameters.push({ name, in: 'query', required: false, description: q.description, schema: q.schema ?? { type: 'string' } });
  }
  for (const [name, h] of Object.entries(doc.headers ?? {})) {
    parameters.push({ name, in: 'header', required: false, description: h.description, schema: h.schema });
  }
  const security = { admin: [{ adminToken: [] }], public: [], 'optional-admin': [{}, { adminToken: [] }] }[doc.auth];
  const responses: Json = {};
  for (const [status, body] of Object.entries(doc.responses)) {
    const c = content(body);
    responses[status] = { description: body.description, ...(body.headers ? { headers: body.headers } : {}), ...(c ? { content: c } : {}) };
  }
  const errors = doc.auth === 'public' ? doc.errors : [...new Set([...doc.errors, 401])].sort((a, b) => a - b);
  Object.assign(responses, errorRefs(errors), { 500: { $ref: '#/components/responses/Error500' } });
  const requestBody = doc.requestBody && {
    description: doc.requestBody.description,
    required: doc.requestBody.required ?? false,
    content: content(doc.requestBody),
  };
  return {
    operationId: operationId(routeKey),
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    security,
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
}

/** `PUT /v1/surveys/{surveyId}/links` → `putV1SurveysSurveyIdLinks`: stable, unique per route. */
function operationId(routeKey: string): string {
  const words = routeKey.split(/[^A-Za-z0-9]+/).filter(Boolean);
  return words.map((w, i) => (i === 0 ? w.toLowerCase() : w[0]!.toUpperCase() + w.slice(1))).join('');
}

export function buildOpenApi(): Json {
  const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as { version: string; license: string };
  const paths: Record<string, Json> = {};
  for (const { routeKey } of routesOf()) {
    if (routeKey === '$default') continue; // unmatched requests: the contract's 404
    const [method, path] = routeKey.split(' ') as [string, string];
    const openApiPath = path.replace(/\{(\w+)\+\}/g, '{$1}');
    (paths[openApiPath] ??= {})[method.toLowerCase()] = operation(routeKey, path, OPERATIONS[routeKey]);
  }
  const errorResponse = (description: string) => ({ description, content: { 'application/json': { schema: ref('Error') } } });
  return {
    openapi: '3.1.0',
    info: {
      title: 'Feedback service API',
      version: pkg.version,
      license: { name: pkg.license, identifier: pkg.license },
      description:
        'NPS, CSAT and CES surveys: signed links, exactly-once responses, scores and appreciation emails. ' +
        'JSON in and out, UTF-8; dates and periods are UTC; bodies over 16 KiB are rejected with 413. ' +
        'Generated from functions/core/schemas.ts and lib/manifest.ts by `npm run openapi`: do not edit by hand.',
    },
    servers: [
      { url: 'http://127.0.0.1:3000', description: 'npm start (PORT)' },
      { url: '{ApiUrl}', description: 'Deployed: the stack output ApiUrl', variables: { ApiUrl: { default: 'https://example.execute-api.us-east-1.amazonaws.com' } } },
    ],
    security: [{ adminToken: [] }],
    paths,
    components: {
      securitySchemes: {
        adminToken: {
          type: 'http',
          scheme: 'bearer',
          description: 'The admin token: FEEDBACK_ADMIN_TOKEN locally; deployed, the Secrets Manager secret of output AdminTokenSecretArn.',
        },
      },
      headers: {
        IdempotentReplayed: { description: '"true" when this is the stored answer to an earlier request with the same Idempotency-Key.', schema: { type: 'string', enum: ['true'] } },
      },
      responses: {
        Error: errorResponse('An error in the contract’s shape.'),
        ...Object.fromEntries(Object.entries(ERROR_DESCRIPTIONS).map(([status, d]) => [`Error${status}`, errorResponse(d)])),
      },
      schemas: componentSchemas(),
    },
  };
}

export const renderOpenApi = (doc: Json = buildOpenApi()) => `${JSON.stringify(doc, null, 2)}\n`;

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  writeFileSync(OPENAPI_FILE, renderOpenApi());
  console.log('wrote docs/openapi.json');
}
