import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ANONYMOUS_SEGMENT_LIMIT, OTHER_SEGMENT } from '../../functions/core/scores.ts';
import { placeAnonymousSegments } from '../../functions/data/segment-values.ts';

/**
 * The submit path places anonymous values against a per-survey set it remembers: a known value or a full dimension
 * costs no round trip, a new value one conditional write, a set found full one read.
 */
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' }));
const mock = mockClient(documentClient);
afterEach(() => mock.reset());

const db = { client: documentClient, table: 't' };
const calls = () => ({ reads: mock.commandCalls(GetCommand).length, writes: mock.commandCalls(UpdateCommand).length });
const full = () => new Set(Array.from({ length: ANONYMOUS_SEGMENT_LIMIT }, (_, i) => `v${i}`));

describe('placeAnonymousSegments', () => {
  it('reads the set once, registers a new value with one conditional write, then knows it', async () => {
    mock.on(GetCommand).resolves({ Item: { channel: new Set(['web']) } });
    mock.on(UpdateCommand).resolves({ Attributes: { channel: new Set(['web', 'sms']) } });
    const place = (channel: string) => placeAnonymousSegments(db, 's-new', [['channel', channel]]);

    expect(await place('web')).toEqual({ channel: 'web' });
    expect(calls()).toEqual({ reads: 1, writes: 0 });
    expect(await place('sms')).toEqual({ channel: 'sms' });
    expect(calls()).toEqual({ reads: 1, writes: 1 });
    const update = mock.commandCalls(UpdateCommand)[0]!.args[0].input;
    expect(update.ConditionExpression).toContain('size(#values) < :limit');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':limit': ANONYMOUS_SEGMENT_LIMIT, ':one': 'sms' });
    expect(await place('sms')).toEqual({ channel: 'sms' });
    expect(await place('web')).toEqual({ channel: 'web' });
    expect(calls()).toEqual({ reads: 1, writes: 1 });
  });

  it('counts a new value in the overflow once the set is full, learning it from the refused write, then for free', async () => {
    mock
      .on(GetCommand)
      .resolvesOnce({ Item: { 'attr.plan': new Set(['v0']) } })
      .resolves({ Item: { 'attr.plan': full() } });
    mock.on(UpdateCommand).rejects(new ConditionalCheckFailedException({ message: 'full', $metadata: {} }));
    const place = (plan: string) => placeAnonymousSegments(db, 's-full', [['attr.plan', plan]]);

    expect(await place('new-1')).toEqual({ 'attr.plan': OTHER_SEGMENT });
    expect(calls()).toEqual({ reads: 2, writes: 1 });
    // Registered elsewhere before the set filled: known here now.
    expect(await place(`v${ANONYMOUS_SEGMENT_LIMIT - 1}`)).toEqual({ 'attr.plan': `v${ANONYMOUS_SEGMENT_LIMIT - 1}` });
    expect(await place('new-2')).toEqual({ 'attr.plan': OTHER_SEGMENT });
    expect(calls()).toEqual({ reads: 2, writes: 1 });
  });

  it('does no I/O for an answer without segment values', async () => {
    expect(await placeAnonymousSegments(db, 's-none', [])).toEqual({});
    expect(calls()).toEqual({ reads: 0, writes: 0 });
  });
});
