import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { parseKeyring, type Keyring } from '#core/tokens.ts';
import { ENV } from './env.ts';

const MAX_AGE_SECONDS = 300; // a rotated secret is picked up within five minutes

/**
 * A secret from an env var (local stack) or from Secrets Manager by ARN (deployed), cached for five minutes.
 */
function secretSource(valueKey: string, arnKey: string): () => Promise<string> {
  return async () => {
    const value = process.env[valueKey];
    if (value) return value;
    const arn = process.env[arnKey];
    if (!arn) throw new Error(`Set ${valueKey} or ${arnKey}.`);
    const secret = await getSecret(arn, { maxAge: MAX_AGE_SECONDS });
    if (typeof secret !== 'string') throw new Error(`Secret ${arnKey} is not a string.`);
    return secret;
  };
}

export const adminToken = secretSource(ENV.adminToken, ENV.adminTokenSecretArn);

const keyringJson = secretSource(ENV.signingKeys, ENV.signingKeysSecretArn);
let parsed: { json: string; ring: Keyring } | undefined;
export async function signingKeyring(): Promise<Keyring> {
  const json = await keyringJson();
  if (parsed?.json !== json) parsed = { json, ring: parseKeyring(json) };
  return parsed.ring;
}
