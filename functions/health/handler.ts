import { httpHandler } from '#runtime/http.ts';

export const handler = httpHandler({
  'GET /health': { auth: 'public', handle: async () => ({ status: 200, body: { status: 'ok' } }) },
});
