/**
 * What an HTTP route declares: who may call it, what it reads (path, query, headers, body: zod schemas) and what it
 * answers. `httpHandler` validates with these schemas and `npm run openapi` documents them, so validation and the
 * API reference are one fact. Declarations live in each capability's `routes.ts`, a module with no wiring (no
 * clients, no env), so the OpenAPI generator can import every one of them.
 */
import * as z from 'zod/mini';
import { dateProblem, EARLIEST_DATE } from '#core/date-range.ts';
import { INVITATION_STATUSES } from '#core/invitations/rules.ts';
import { customerId, responseBody, surveyId } from '#core/schemas.ts';
import type { Scope } from '#core/api-keys.ts';

/**
 * Who may call a route. A scope (`admin`, `read`, `ingest`): the admin token, or an API key holding that scope or
 * `admin`; 401 without a valid credential, 403 `forbidden` with a key that lacks the scope. `{ optional: scope }`:
 * open, and a credential, when sent, must be valid and hold the scope, and unlocks more (`req.caller`). `public`:
 * open; an Authorization header is ignored (the function cannot read credentials).
 */
export type Auth = Scope | { optional: Scope } | 'public';

/** The scope a route's callers must hold (when they send a credential, for optional ones); none for public routes. */
export const scopeOf = (auth: Auth): Scope | undefined =>
  auth === 'public' ? undefined : typeof auth === 'string' ? auth : auth.optional;

export interface Answer {
  description: string;
  /** A named schema (see `component`): the JSON body. */
  schema?: z.ZodMiniType;
  /** A body that is not JSON (HTML, CSV). */
  contentType?: string;
  headers?: Record<string, { description: string; schema: z.ZodMiniType }>;
}

export interface RouteSpec {
  auth: Auth;
  summary: string;
  description?: string;
  /** Path parameters; a failure names the parameter (`surveyId`). */
  params?: z.ZodMiniObject;
  /** Query string parameters, as strings; a failure names the parameter (`limit`). */
  query?: z.ZodMiniObject;
  /** Request headers by their documented name; a failure names the header (`Idempotency-Key`). */
  headers?: Record<string, { description: string; schema: z.ZodMiniType }>;
  /** The body: a named schema (see `component`). An empty body parses as `undefined`. */
  body?: z.ZodMiniType;
  /** Body types accepted; JSON unless said otherwise. `any`: the body is not read (beyond the size limit). */
  accepts?: ReadonlyArray<'json' | 'form'> | 'any';
  /** Media types the route can answer with, the default first; `Accept` picks one (`req.mediaType`). */
  produces?: readonly string[];
  /** Languages the route can answer in; `Accept-Language` picks one (`req.language`), if any matches. */
  languages?: readonly string[];
  /** Success answers by status. */
  responses: Record<number, Answer>;
  /** Error statuses the route answers, besides 401 and 403 (on routes that are not public) and 500. */
  errors: readonly number[];
}

export type RouteSpecs = Record<string, RouteSpec>;

/** Keeps each route's literal type, so the handler sees its parsed params, query and body. */
export const defineRoutes = <const T extends RouteSpecs>(routes: T): T => routes;

/** The named shapes of the API: OpenAPI components. Request bodies are named `…Input`. */
export const apiComponents = z.registry<{ id: string }>();

/** Names a schema as an OpenAPI component; every body and answer schema of a route is one. */
export function component<T extends z.ZodMiniType>(id: string, schema: T): T {
  apiComponents.add(schema, { id });
  return schema;
}

// ---- shapes several capabilities answer with ----

export const timestamp = z.iso.datetime();

export const ErrorBody = component(
  'Error',
  z.strictObject({
    error: z.strictObject({
      code: z
        .string()
        .check(
          z.describe(
            'validation_failed 400, unauthorized 401, invalid_token 403, forbidden 403, not_found 404, ' +
              'idempotency_in_progress 409, ' +
              'recontact_too_soon 409, payload_too_large 413, unsupported_media_type 415, idempotency_key_reused 422, ' +
              'internal_error 500',
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
);

const answered = responseBody.shape;

/** A stored response, as the customer timeline and the listing answer it. */
export const StoredResponse = component(
  'Response',
  z.strictObject({
    responseId: z.string(),
    surveyId,
    customerId: answered.customerId,
    nps: answered.nps,
    csat: answered.csat,
    ces: answered.ces,
    comment: answered.comment,
    channel: answered.channel,
    attributes: answered.attributes,
    invitationId: z.optional(z.string().check(z.describe("The invitation whose link was answered (its link's token named it)."))),
    submittedAt: timestamp,
    receivedAt: timestamp,
    createdAt: timestamp,
  }),
);

/** An invitation, as the survey's listing and the customer's history answer it. */
export const Invitation = component(
  'Invitation',
  z.strictObject({
    invitationId: z.string(),
    surveyId,
    customerId,
    trigger: z.string().check(z.describe('event:<type>, cadence or manual.')),
    status: z.enum(INVITATION_STATUSES),
    sendAt: timestamp,
    createdAt: timestamp,
    eventId: z.optional(z.string()),
    sentAt: z.optional(timestamp),
    remindedAt: z.optional(timestamp),
    answeredAt: z.optional(timestamp),
    expiresAt: z.optional(timestamp),
    reason: z.optional(z.string().check(z.describe('Why it was skipped or failed.'))),
  }),
);

// ---- query parameters several capabilities read ----

/** Today (UTC), read per request: the latest date a query may name moves with the clock. */
export const todayUtc = () => new Date().toISOString().slice(0, 10);

/** A page size in a query: digits only (no `1e2`, no spaces), from 1 to `max`, `fallback` when absent. */
export const pageLimit = (fallback: number, max: number) => {
  const message = `Use a whole number from 1 to ${max}.`;
  return z._default(
    z.pipe(
      z.pipe(z.string().check(z.regex(/^\d{1,4}$/, message)), z.transform(Number)),
      z.int().check(z.minimum(1, message), z.maximum(max, message), z.describe(`Page size, default ${fallback}.`)),
    ),
    fallback,
  );
};

/** The `cursor` of a paged listing: the previous page's `nextCursor`, opaque. */
export const pageCursor = z.optional(z.string().check(z.describe('nextCursor of the previous page.')));

/** A day in a query: a real `YYYY-MM-DD` within the service's dates (core/date-range.ts), else 400 at its name. */
export const queryDate = (description: string) =>
  z.string().check(
    z.superRefine((value, ctx) => {
      const message = dateProblem(value, todayUtc());
      if (message) ctx.issues.push({ code: 'custom', message, input: value });
    }),
    z.meta({ format: 'date', description: `${description} Any day from ${EARLIEST_DATE} to a year ahead (UTC).` }),
  );
