/** A web origin as browsers send it: scheme, host and an optional port, no path (config `allowedOrigins`). */
export const ORIGIN = /^https?:\/\/[a-z0-9.-]+(:\d{1,5})?$/i;

/** A list of origins as one env var: space-separated, as a Content-Security-Policy lists its sources. */
export const formatOrigins = (origins: readonly string[]): string => origins.join(' ');

/** The origins of an env var. Anything else fails the cold start: in a CSP it could widen what the page allows. */
export function parseOrigins(value: string | undefined): string[] {
  const origins = (value ?? '').split(' ').filter(Boolean);
  const invalid = origins.find((origin) => !ORIGIN.test(origin));
  if (invalid !== undefined) throw new Error(`Not an origin: "${invalid}" (scheme and host, such as https://shop.example).`);
  return origins;
}
