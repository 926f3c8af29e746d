/**
 * Cross-origin access for a feedback widget on the team's own website (config `allowedOrigins`): the one policy the
 * HTTP API's CORS configuration and the local server's preflight answers both apply.
 */
export const CORS = {
  /** The widget submits responses; nothing else is offered cross-origin. */
  allowMethods: ['POST'] as const,
  allowHeaders: ['content-type', 'idempotency-key'] as const,
  exposeHeaders: ['idempotent-replayed'] as const,
  maxAgeSeconds: 600,
};

/** An origin as browsers send it: scheme, host and an optional port, no path. */
export { ORIGIN } from '../functions/core/origins.ts';

/** The CORS headers API Gateway adds to a response for an allowed origin (none for any other). */
export function corsHeaders(origin: string | undefined, allowedOrigins: readonly string[]): Record<string, string> {
  if (!origin || !allowedOrigins.includes(origin)) return {};
  return { 'access-control-allow-origin': origin, 'access-control-expose-headers': CORS.exposeHeaders.join(','), vary: 'origin' };
}

/** API Gateway's answer to a preflight: 204, with the policy's headers when the origin and method are allowed. */
export function preflightHeaders(origin: string | undefined, method: string | undefined, allowedOrigins: readonly string[]) {
  if (
    !origin ||
    !allowedOrigins.includes(origin) ||
    !(CORS.allowMethods as readonly string[]).includes((method ?? '').toUpperCase())
  )
    return {};
  return {
    'access-control-allow-origin': origin,
    'access-control-allow-methods': CORS.allowMethods.join(','),
    'access-control-allow-headers': CORS.allowHeaders.join(','),
    'access-control-max-age': String(CORS.maxAgeSeconds),
    vary: 'origin',
  };
}
