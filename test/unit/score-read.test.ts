import { afterEach, describe, expect, it } from 'vitest';
import { mockClient } from 'aws-sdk-client-mock';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { countAnswers } from '../../functions/core/scores.ts';
import { handler } from '../../functions/report-scores/handler.ts';
import { TEST_ADMIN_TOKEN } from '../test-env.ts';

/**
 * The score read with `change` and a `by=` breakdown (its `null` segment included) is the survey's GetItem and one
 * key-range query per dimension: no scan, no read for the change or the null segment.
 */
const mock = mockClient(DynamoDBDocumentClient);
afterEach(() => mock.reset());

const event = (query: Record<string, string>): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    routeKey: 'GET /v1/surveys/{surveyId}/scores',
    rawPath: '/v1/surveys/s-read/scores',
    rawQueryString: new URLSearchParams(query).toString(),
    pathParameters: { surveyId: 's-read' },
    queryStringParameters: query,
    headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` },
    requestContext: { domainName: 'api.example', http: { method: 'GET', path: '/v1/surveys/s-read/scores' } },
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;
const context = { getRemainingTimeInMillis: () => 10_000, functionName: 'scores', awsRequestId: 'r' } as unknown as Context;

const scoreDay = (day: string, dimension: string, segment: string, answers: Array<{ nps: number }>) => ({
  pk: 'SCORES#s-read',
  sk: `${dimension}#${day}#${segment}`,
  type: 'score-day',
  surveyId: 's-read',
  day,
  dimension,
  segment,
  ...countAnswers(answers),
});

describe('the score read', () => {
  it('is one GetItem and one query per dimension, change and the null segment included', async () => {
    mock.on(GetCommand).resolves({
      Item: { pk: 'SURVEY#s-read', sk: '#SURVEY', surveyId: 's-read', name: 'S', questions: ['nps'], segmentBy: [] },
    });
    const promoters = Array.from({ length: 4 }, () => ({ nps: 10 }));
    const mixed = [{ nps: 10 }, { nps: 10 }, { nps: 0 }, { nps: 0 }];
    const dimensions: Record<string, object[]> = {
      all: [scoreDay('2026-11-01', 'all', '*', mixed), scoreDay('2026-11-02', 'all', '*', promoters)],
      channel: [scoreDay('2026-11-02', 'channel', 'email', promoters.slice(0, 3))],
    };
    mock.on(QueryCommand).callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => ({
      Items: dimensions[input.ExpressionAttributeValues[':from']!.split('#')[0]!] ?? [],
    }));

    const res = await handler(event({ from: '2026-11-01', to: '2026-11-02', by: 'channel' }), context);
    expect(res.statusCode, res.body).toBe(200);
    const body = JSON.parse(res.body!);
    expect(body.series.map((p: { change: unknown }) => p.change)).toEqual([
      null,
      { nps: { delta: 100, significant: false }, csat: null },
    ]);
    expect(body.segments.map((s: { key: string | null; responses: number }) => [s.key, s.responses])).toEqual([
      ['email', 3],
      [null, 5],
    ]);
    expect(mock.commandCalls(GetCommand)).toHaveLength(1);
    expect(mock.commandCalls(QueryCommand)).toHaveLength(2);
    expect(mock.calls()).toHaveLength(3); // nothing else: no scan, no extra read
  });
});
