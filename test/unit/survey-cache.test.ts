import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { getSurveyCached, putSurvey, SURVEY_CACHE_TTL_MS } from '../../functions/data/surveys.ts';

/** The submission path reads survey definitions through a per-container cache: one read per survey and TTL. */
const documentClient = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'local' }));
const mock = mockClient(documentClient);
afterEach(() => mock.reset());

const db = { client: documentClient, table: 't' };
const stored = (surveyId: string, name: string) => ({
  pk: `SURVEY#${surveyId}`,
  sk: '#SURVEY',
  surveyId,
  name,
  questions: ['nps'],
  anonymous: true,
  recontactDays: 0,
  segmentBy: [],
});
const reads = () => mock.commandCalls(GetCommand).length;

describe('getSurveyCached', () => {
  it('reads a survey once per TTL', async () => {
    mock.on(GetCommand).resolves({ Item: stored('s-ttl', 'A') });
    expect(await getSurveyCached(db, 's-ttl', 0)).toMatchObject({ name: 'A' });
    expect(await getSurveyCached(db, 's-ttl', SURVEY_CACHE_TTL_MS - 1)).toMatchObject({ name: 'A' });
    expect(reads()).toBe(1);
    mock.on(GetCommand).resolves({ Item: stored('s-ttl', 'B') });
    expect(await getSurveyCached(db, 's-ttl', SURVEY_CACHE_TTL_MS)).toMatchObject({ name: 'B' });
    expect(reads()).toBe(2);
  });

  it('does not remember a missing survey: one created since is found at once', async () => {
    mock.on(GetCommand).resolves({});
    expect(await getSurveyCached(db, 's-new', 0)).toBeUndefined();
    mock.on(GetCommand).resolves({ Item: stored('s-new', 'A') });
    expect(await getSurveyCached(db, 's-new', 1)).toMatchObject({ name: 'A' });
  });

  it('forgets a survey this container replaced, so its own submissions see the change at once', async () => {
    mock.on(GetCommand).resolves({ Item: stored('s-put', 'A') });
    await getSurveyCached(db, 's-put', Date.now());
    mock.on(UpdateCommand).resolves({ Attributes: stored('s-put', 'B') });
    await putSurvey(db, 's-put', { name: 'B', questions: ['nps'], anonymous: true, recontactDays: 0, segmentBy: [] }, 'now');
    mock.on(GetCommand).resolves({ Item: stored('s-put', 'B') });
    expect(await getSurveyCached(db, 's-put', Date.now())).toMatchObject({ name: 'B' });
    expect(reads()).toBe(2);
  });
});
