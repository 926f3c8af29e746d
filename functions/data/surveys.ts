import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SurveyInput } from '#core/schemas.ts';
import type { Db } from './db.ts';
import { keys, publicFields } from './keys.ts';

export interface Survey extends SurveyInput {
  surveyId: string;
  createdAt: string;
  updatedAt: string;
}

/** Creates or replaces a survey, keeping its createdAt. */
export async function putSurvey(db: Db, surveyId: string, input: SurveyInput, now: string): Promise<Survey> {
  const { Attributes } = await db.client.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.survey(surveyId),
      UpdateExpression:
        'SET #type = :type, surveyId = :id, #name = :name, questions = :questions, anonymous = :anonymous, ' +
        'recontactDays = :recontactDays, segmentBy = :segmentBy, createdAt = if_not_exists(createdAt, :now), updatedAt = :now',
      ExpressionAttributeNames: { '#type': 'type', '#name': 'name' },
      ExpressionAttributeValues: {
        ':type': 'survey',
        ':id': surveyId,
        ':name': input.name,
        ':questions': input.questions,
        ':anonymous': input.anonymous,
        ':recontactDays': input.recontactDays,
        ':segmentBy': input.segmentBy,
        ':now': now,
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  return publicFields(Attributes!) as Survey;
}

export async function getSurvey(db: Db, surveyId: string): Promise<Survey | undefined> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.survey(surveyId), ConsistentRead: true }),
  );
  return Item ? (publicFields(Item) as Survey) : undefined;
}
