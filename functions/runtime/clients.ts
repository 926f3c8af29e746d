import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENV } from './env.ts';

/**
 * Attempts per DynamoDB call under the SDK's standard retry strategy (throttling, 5xx, network and timeouts, with
 * exponential backoff and jitter). Pinned here, not left to the SDK's default, so an SDK upgrade cannot change it;
 * what the SDK does not retry (transaction conflicts, unprocessed batch keys) is `#data/db.ts`'s `retryTransient`.
 */
export const DYNAMODB_MAX_ATTEMPTS = 4;

/** Local endpoints are the only difference between the local stack and AWS. */
export function dynamoDbClient(env: Record<string, string | undefined> = process.env): DynamoDBDocumentClient {
  const endpoint = env[ENV.dynamodbEndpoint];
  const client = new DynamoDBClient({
    retryMode: 'standard',
    maxAttempts: DYNAMODB_MAX_ATTEMPTS,
    ...(endpoint ? { endpoint, region: env.AWS_REGION ?? 'local', credentials: localCredentials } : {}),
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}

/** DynamoDB Local and the local SES accept any credentials; these keep the SDK from looking for real ones. */
export const localCredentials = { accessKeyId: 'local', secretAccessKey: 'local' };
