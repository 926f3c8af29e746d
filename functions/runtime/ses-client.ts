import { SESv2Client } from '@aws-sdk/client-sesv2';
import { localCredentials } from './clients.ts';
import { ENV } from './env.ts';

/**
 * SES API v2, or the local SES. One attempt per call: the mailer owns retries, so a send is never repeated blindly.
 * A module of its own, imported by the functions that send only: a bundle keeps an external import even when unused,
 * so in clients.ts (which every function imports) it would load the SES client at every cold start.
 */
export function sesClient(env: Record<string, string | undefined> = process.env): SESv2Client {
  const endpoint = env[ENV.sesEndpoint];
  return new SESv2Client({
    maxAttempts: 1,
    requestHandler: { requestTimeout: 10_000, throwOnRequestTimeout: true },
    ...(endpoint ? { endpoint, region: env.AWS_REGION ?? 'local', credentials: localCredentials } : {}),
  });
}
