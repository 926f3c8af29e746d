import { publicHttpHandler } from '#runtime/http.ts';
import { routes } from './routes.ts';

export const handler = publicHttpHandler(routes, {
  'GET /health': { handle: async () => ({ status: 200, body: { status: 'ok' } }) },
});
