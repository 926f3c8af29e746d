import * as z from 'zod/mini';

/** Env var names: one list, imported by the CDK stack and the local runner too, so they cannot drift. */
export const ENV = {
  tableName: 'TABLE_NAME',
  /** Local: the admin token itself. Deployed: ADMIN_TOKEN_SECRET_ARN instead. */
  adminToken: 'FEEDBACK_ADMIN_TOKEN',
  adminTokenSecretArn: 'ADMIN_TOKEN_SECRET_ARN',
  /** Local: the signing keyring JSON. Deployed: SIGNING_KEYS_SECRET_ARN instead. */
  signingKeys: 'SIGNING_KEYS',
  signingKeysSecretArn: 'SIGNING_KEYS_SECRET_ARN',
  /** Base URL for links in emails and API answers; defaults to the request's own origin. */
  publicBaseUrl: 'PUBLIC_BASE_URL',
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  sesEndpoint: 'SES_ENDPOINT',
} as const;

export type EnvKey = (typeof ENV)[keyof typeof ENV];

/**
 * Parses the env vars a module needs, once, at load: a missing one fails the cold start with a clear message
 * rather than a request later.
 */
export function readEnv<S extends Record<string, z.ZodMiniType>>(
  shape: S,
  source: Record<string, string | undefined> = process.env,
): { [K in keyof S]: z.infer<S[K]> } {
  const result = z.object(shape).safeParse(source);
  if (!result.success) {
    const names = result.error.issues.map((i) => i.path.join('.')).join(', ');
    throw new Error(`Missing or invalid environment variables: ${names}`);
  }
  return result.data as { [K in keyof S]: z.infer<S[K]> };
}
