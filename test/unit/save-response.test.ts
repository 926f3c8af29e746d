import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { saveResponse, type FeedbackResponse } from '../../functions/data/responses.ts';

/** DynamoDB Local never raises transaction conflicts; these are the races a deployed table produces. */
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' }));
const mock = mockClient(documentClient);
afterEach(() => mock.reset());

const db = { client: documentClient, table: 't' };
const response: FeedbackResponse = {
  responseId: 'R1',
  surveyId: 's-1',
  nps: 9,
  submittedAt: '2026-11-24T10:00:00.000Z',
  receivedAt: '2026-11-24T10:00:00.000Z',
  createdAt: '2026-11-24T10:00:00.000Z',
};
const held = { key: 'k', owner: 'o', result: { status: 201, body: '{}' } };

const awsError = (name: string, extra: Record<string, unknown> = {}) => Object.assign(new Error(name), { name, ...extra });
const canceled = (...codes: string[]) =>
  awsError('TransactionCanceledException', { CancellationReasons: codes.map((Code) => ({ Code })) });

describe('saveResponse outcomes', () => {
  it('saves', async () => {
    mock.on(TransactWriteCommand).resolves({});
    expect(await saveResponse(db, response, 0, held)).toBe('saved');
  });

  it.each([
    ['the response changed under us', canceled('ConditionalCheckFailed', 'None'), 'raced'],
    ['a concurrent transaction on the response', canceled('TransactionConflict', 'None'), 'raced'],
    ['a transaction conflict exception', awsError('TransactionConflictException'), 'raced'],
    ['the idempotency key was taken over', canceled('None', 'ConditionalCheckFailed'), 'claim_lost'],
  ])('reports %s', async (_name, error, outcome) => {
    mock.on(TransactWriteCommand).rejects(error);
    expect(await saveResponse(db, response, 1, held)).toBe(outcome);
  });

  it('reports a lost race without an idempotency key too', async () => {
    mock.on(PutCommand).rejects(awsError('ConditionalCheckFailedException'));
    expect(await saveResponse(db, response, 0)).toBe('raced');
  });

  it('throws what is not a race (throttling is the SDK retry policy’s business)', async () => {
    mock.on(TransactWriteCommand).rejects(canceled('ThrottlingError', 'None'));
    await expect(saveResponse(db, response, 0, held)).rejects.toThrow('TransactionCanceledException');
  });
});
