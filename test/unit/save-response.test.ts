import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { saveResponse, saveResponseCompletingKey, type FeedbackResponse } from '../../functions/data/responses.ts';

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

describe('saveResponseCompletingKey outcomes', () => {
  it('saves', async () => {
    mock.on(TransactWriteCommand).resolves({});
    expect(await saveResponseCompletingKey(db, response, 'new', held)).toBe('saved');
  });

  it.each([
    ['the response existed (or not) after all', canceled('ConditionalCheckFailed', 'None'), 'guessed_wrong'],
    ['the idempotency key was taken over', canceled('None', 'ConditionalCheckFailed'), 'claim_lost'],
  ])('reports %s', async (_name, error, outcome) => {
    mock.on(TransactWriteCommand).rejects(error);
    expect(await saveResponseCompletingKey(db, response, 'existing', held)).toBe(outcome);
  });

  it('throws conflicts and throttling for the one retry policy', async () => {
    mock.on(TransactWriteCommand).rejects(canceled('TransactionConflict', 'None'));
    await expect(saveResponseCompletingKey(db, response, 'new', held)).rejects.toThrow('TransactionCanceledException');
  });

  it('makes the guess a condition of the write', async () => {
    mock.on(TransactWriteCommand).resolves({});
    await saveResponseCompletingKey(db, response, 'existing', held);
    const [update] = mock.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems!;
    expect(update!.Update!.ConditionExpression).toBe('attribute_exists(pk)');
  });
});

describe('saveResponse: last writer wins', () => {
  it('is one unconditional update that counts the version and keeps the first createdAt', async () => {
    mock.on(UpdateCommand).resolves({});
    expect(await saveResponse(db, response)).toEqual({ created: true });
    const input = mock.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.ConditionExpression).toBeUndefined();
    expect(input.UpdateExpression).toMatch(/ADD #version :one$/);
    expect(input.UpdateExpression).toContain('#createdAt = if_not_exists(#createdAt, :createdAt)');
    // Answers left out are removed: a later submission replaces the answers. Channel and attributes left out are
    // kept (the contract's Segments: a resubmission keeps them unless it gives them).
    const removed = input.UpdateExpression!.split(' REMOVE ')[1]!.split(' ADD ')[0]!.split(', ');
    const removedNames = removed.map((placeholder) => input.ExpressionAttributeNames![placeholder]);
    expect(removedNames).toEqual(expect.arrayContaining(['csat', 'ces', 'comment', 'gsi3pk']));
    expect(removedNames).not.toContain('channel');
    expect(removedNames).not.toContain('attributes');
  });

  it("keeps the profile snapshot of the link's first answer", async () => {
    mock.on(UpdateCommand).resolves({});
    await saveResponse(db, { ...response, scoredProfile: { plan: 'pro' } });
    const input = mock.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(input.UpdateExpression).toContain('#scoredProfile = if_not_exists(#scoredProfile, :scoredProfile)');
    expect(input.ExpressionAttributeValues![':scoredProfile']).toBe('{"plan":"pro"}');
  });

  it('reports an update of an existing response', async () => {
    mock.on(UpdateCommand).resolves({ Attributes: { version: 3 } });
    expect(await saveResponse(db, response)).toEqual({ created: false });
  });

  it('writes again when a transaction held the item for a moment', async () => {
    mock.on(UpdateCommand).rejectsOnce(awsError('TransactionConflictException')).resolves({});
    expect(await saveResponse(db, response)).toEqual({ created: true });
    expect(mock.commandCalls(UpdateCommand)).toHaveLength(2);
  });
});
