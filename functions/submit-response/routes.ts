import * as z from 'zod/mini';
import { customerId, IDEMPOTENCY_KEY, responseBody, surveyId } from '#core/schemas.ts';
import { component, defineRoutes, timestamp } from '#runtime/routes.ts';

const ResponseInput = component(
  'ResponseInput',
  responseBody.check(
    z.describe(
      'At least one of nps, csat, ces, each a question of the survey. A survey that is not anonymous needs its link ' +
        'token; customerId without a token, and submittedAt, need the admin token or an ingest key (imports).',
    ),
  ),
);
const ResponseAccepted = component(
  'ResponseAccepted',
  z.strictObject({
    responseId: z.string(),
    surveyId,
    customerId: z.nullable(customerId),
    receivedAt: timestamp,
    updated: z.optional(z.literal(true).check(z.describe('A later submission with the same link token replaced the answers.'))),
  }),
);

const replayed = {
  'Idempotent-Replayed': {
    description: '"true" when this is the stored answer to an earlier request with the same Idempotency-Key.',
    schema: z.optional(z.literal('true')),
  },
};

export const routes = defineRoutes({
  'POST /v1/responses': {
    auth: { optional: 'ingest' },
    summary: 'Submit a response',
    description:
      'One link, one response: a later submission with the same token replaces the answers (200, same responseId). ' +
      'With an Idempotency-Key, the same key and body within 24 hours answer the first status and body again with ' +
      '`Idempotent-Replayed: true`; the same key with another body is 422; while the first is in flight, 409. ' +
      'With the admin token or an ingest key, customerId without a token and submittedAt (not in the future) import history.',
    headers: {
      'Idempotency-Key': {
        description: 'Makes retries safe: 1–255 visible ASCII characters, remembered for 24 hours.',
        schema: z.optional(z.string().check(z.regex(IDEMPOTENCY_KEY, 'Use 1–255 visible ASCII characters.'))),
      },
    },
    body: ResponseInput,
    responses: {
      201: { description: 'Stored.', schema: ResponseAccepted, headers: replayed },
      200: { description: "Replaced the answers of this link's response.", schema: ResponseAccepted, headers: replayed },
    },
    errors: [400, 403, 404, 409, 413, 415, 422],
  },
});
