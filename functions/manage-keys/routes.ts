import * as z from 'zod/mini';
import { keyBody, keyId, SCOPES } from '#core/api-keys.ts';
import { component, defineRoutes, timestamp } from '#runtime/routes.ts';

const KeyInput = component('KeyInput', keyBody);
const keyFields = {
  keyId,
  name: keyBody.shape.name,
  scopes: z.array(z.enum(SCOPES)),
  createdAt: timestamp,
};
const Key = component('Key', z.strictObject(keyFields));
const CreatedKey = component(
  'CreatedKey',
  z.strictObject({
    ...keyFields,
    secret: z
      .string()
      .check(
        z.describe('fbk_<keyId>_<random>: send it as "Authorization: Bearer <secret>". Shown only now; only its hash is kept.'),
      ),
  }),
);
const KeyList = component('KeyList', z.strictObject({ items: z.array(Key).check(z.describe('Oldest first.')) }));

export const routes = defineRoutes({
  'POST /v1/keys': {
    auth: 'admin',
    summary: 'Create an API key',
    description:
      'A key with the scopes given: admin (everything), read (every GET under /v1/surveys and /v1/customers: the ' +
      'dashboard) or ingest (POST /v1/responses with customerId or submittedAt, PUT /v1/customers/{customerId}). The ' +
      'secret is in this answer only.',
    body: KeyInput,
    responses: { 201: { description: 'The key, with its secret.', schema: CreatedKey } },
    errors: [400, 413, 415],
  },
  'GET /v1/keys': {
    auth: 'admin',
    summary: 'List the API keys',
    responses: { 200: { description: 'Every key, without secrets.', schema: KeyList } },
    errors: [],
  },
  'DELETE /v1/keys/{keyId}': {
    auth: 'admin',
    summary: 'Revoke an API key',
    description: 'The key is refused within 60 seconds everywhere (at once by the function that revoked it).',
    params: z.object({ keyId }),
    responses: { 204: { description: 'Revoked.' } },
    errors: [400, 404],
  },
});
