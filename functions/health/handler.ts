import { httpHandler } from '#runtime/http.ts';
import { routes } from './routes.ts';

export const handler = httpHandler(routes, {
  'GET /health': { handle: async () => ({ status: 200, body: { status: 'ok' } }) },
});
