import * as z from 'zod/mini';
import { customerId, linkBody, surveyBody, surveyId } from '#core/schemas.ts';
import { component, defineRoutes, timestamp } from '#runtime/routes.ts';

const params = z.object({ surveyId });

const SurveyInput = component('SurveyInput', surveyBody);
const Survey = component('Survey', z.extend(surveyBody, { surveyId, createdAt: timestamp, updatedAt: timestamp }));
const LinkInput = component('LinkInput', linkBody);
// No body (or null) is an empty object: "customerId is missing" says more than "send an object".
const linkInput = z.pipe(
  z.transform((body: unknown) => body ?? {}),
  LinkInput,
);
const Link = component(
  'Link',
  z.strictObject({
    token: z.string(),
    url: z.string().check(z.describe('The hosted survey page: <base>/s/{surveyId}?t=<token>.')),
    surveyId,
    customerId,
    expiresAt: timestamp,
  }),
);

const SurveyList = component(
  'SurveyList',
  z.strictObject({ items: z.array(Survey).check(z.describe('Every survey, by id (the team has few).')) }),
);

export const routes = defineRoutes({
  'GET /v1/surveys': {
    auth: 'read',
    summary: 'List surveys',
    responses: { 200: { description: 'Every survey.', schema: SurveyList } },
    errors: [],
  },
  'PUT /v1/surveys/{surveyId}': {
    auth: 'admin',
    summary: 'Create or replace a survey',
    description: 'A replace keeps createdAt; fields left out take their defaults.',
    params,
    body: SurveyInput,
    responses: { 200: { description: 'The survey as stored.', schema: Survey } },
    errors: [400, 413, 415],
  },
  'GET /v1/surveys/{surveyId}': {
    auth: 'read',
    summary: 'Read a survey',
    params,
    responses: { 200: { description: 'The survey.', schema: Survey } },
    errors: [400, 404],
  },
  'POST /v1/surveys/{surveyId}/links': {
    auth: 'admin',
    summary: "Create a customer's signed survey link",
    description:
      'An HMAC-signed token naming the survey and the customer, expiring after expiresInDays. 409 recontact_too_soon ' +
      "when the customer answered this survey within the survey's recontactDays.",
    params,
    body: linkInput,
    responses: { 201: { description: 'The link.', schema: Link } },
    errors: [400, 404, 409, 413, 415],
  },
});
