import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SurveyInput } from '#core/schemas.ts';
import { queryAll, type Db } from './db.ts';
import { keys, publicFields, SURVEY_LIST_PARTITION, surveyListIndex } from './keys.ts';

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
        'SET #type = :type, surveyId = :id, gsi1pk = :listPk, gsi1sk = :id, #name = :name, questions = :questions, anonymous = :anonymous, ' +
        'recontactDays = :recontactDays, segmentBy = :segmentBy, createdAt = if_not_exists(createdAt, :now), updatedAt = :now' +
        (input.invite ? ', invite = :invite' : ' REMOVE invite'),
      ExpressionAttributeNames: { '#type': 'type', '#name': 'name' },
      ExpressionAttributeValues: {
        ':type': 'survey',
        ':id': surveyId,
        ':listPk': surveyListIndex(surveyId).gsi1pk,
        ':name': input.name,
        ':questions': input.questions,
        ':anonymous': input.anonymous,
        ':recontactDays': input.recontactDays,
        ':segmentBy': input.segmentBy,
        ':now': now,
        ...(input.invite ? { ':invite': input.invite } : {}),
      },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const survey = publicFields(Attributes!) as Survey;
  everySurvey = undefined;
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

/** Every survey, by id (one query of the survey list). */
export async function listSurveys(db: Db): Promise<Survey[]> {
  const items = await queryAll(db, {
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :pk',
    ExpressionAttributeValues: { ':pk': SURVEY_LIST_PARTITION },
  });
  return items.map((item) => publicFields(item) as Survey);
}

let everySurvey: { surveys: Survey[]; until: number } | undefined;

/** listSurveys through the container's cache, for SURVEY_CACHE_TTL_MS, as getSurveyCached: events ask it each time. */
export async function listSurveysCached(db: Db, nowMs = Date.now()): Promise<Survey[]> {
  if (everySurvey && everySurvey.until > nowMs) return everySurvey.surveys;
  const surveys = await listSurveys(db);
  everySurvey = { surveys, until: nowMs + SURVEY_CACHE_TTL_MS };
  return surveys;
}
