import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SurveyInput } from '#core/schemas.ts';
import type { Db } from './db.ts';
import { keys, publicFields } from './keys.ts';

export interface Survey extends SurveyInput {
  surveyId: string;
  createdAt: string;
  updatedAt: string;
}

/**
 * How long a container answers submissions from a survey definition it has read: a survey change (its questions,
 * `anonymous`) reaches submissions served by other containers within this time; the container that served the PUT
 * sees it at once. It saves the submission path a consistent read per request.
 */
export const SURVEY_CACHE_TTL_MS = 30_000;
/** Surveys are the team's own, few; the bound only keeps a container's memory flat whatever happens. */
const SURVEY_CACHE_ENTRIES = 1_000;
const definitions = new Map<string, { survey: Survey; until: number }>();

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
  const survey = publicFields(Attributes!) as Survey;
  definitions.delete(surveyId); // this container's submissions see the change at once (others within the TTL)
  return survey;
}

export async function getSurvey(db: Db, surveyId: string): Promise<Survey | undefined> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.survey(surveyId), ConsistentRead: true }),
  );
  return Item ? (publicFields(Item) as Survey) : undefined;
}

/** getSurvey through the container's cache (SURVEY_CACHE_TTL_MS). A missing survey is not cached: it is read again. */
export async function getSurveyCached(db: Db, surveyId: string, nowMs = Date.now()): Promise<Survey | undefined> {
  const cached = definitions.get(surveyId);
  if (cached && cached.until > nowMs) return cached.survey;
  const survey = await getSurvey(db, surveyId);
  definitions.delete(surveyId);
  if (survey) {
    if (definitions.size >= SURVEY_CACHE_ENTRIES) definitions.delete(definitions.keys().next().value!);
    definitions.set(surveyId, { survey, until: nowMs + SURVEY_CACHE_TTL_MS });
  }
  return survey;
}
