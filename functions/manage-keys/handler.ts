import { newKeySecret, secretHash } from '#core/api-keys.ts';
import { NotFound } from '#core/errors.ts';
import { createApiKey, deleteApiKey, listApiKeys } from '#data/api-keys.ts';
import { httpHandler } from '#runtime/http.ts';
import { logger } from '#runtime/logger.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { routes } from './routes.ts';

const db = tableFromEnv();

export const handler = httpHandler(routes, {
  'POST /v1/keys': {
    handle: async (req) => {
      const { keyId, secret } = newKeySecret();
      const key = await createApiKey(db, {
        keyId,
        name: req.body.name,
        scopes: req.body.scopes,
        createdAt: new Date().toISOString(),
        secretHash: secretHash(secret),
      });
      logger.info('ApiKeyCreated', { keyId, scopes: key.scopes });
      return { status: 201, body: { keyId, name: key.name, scopes: key.scopes, secret, createdAt: key.createdAt } };
    },
  },
  'GET /v1/keys': { handle: async () => ({ status: 200, body: { items: await listApiKeys(db) } }) },
  'DELETE /v1/keys/{keyId}': {
    handle: async (req) => {
      const { keyId } = req.params;
      if (!(await deleteApiKey(db, keyId))) throw new NotFound(`Key "${keyId}"`);
      logger.info('ApiKeyRevoked', { keyId });
      return { status: 204 };
    },
  },
});
