import { Conflict, NotFound } from '#core/errors.ts';
import { newNonce } from '#core/ids.ts';
import { signToken } from '#core/tokens.ts';
import { answeredSince } from '#data/responses.ts';
import { getSurvey, listSurveys, putSurvey } from '#data/surveys.ts';
import { httpHandler } from '#runtime/http.ts';
import { signingKeyring } from '#runtime/secrets.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { routes } from './routes.ts';

const db = tableFromEnv();
const DAY_MS = 86_400_000;

async function existingSurvey(id: string) {
  const survey = await getSurvey(db, id);
  if (!survey) throw new NotFound(`Survey "${id}"`);
  return survey;
}

export const handler = httpHandler(routes, {
  'GET /v1/surveys': {
    handle: async () => ({ status: 200, body: { items: await listSurveys(db) } }),
  },
  'PUT /v1/surveys/{surveyId}': {
    handle: async (req) => {
      const id = req.params.surveyId;
      const survey = await putSurvey(db, id, req.body, new Date().toISOString());
      return { status: 200, body: survey };
    },
  },
  'GET /v1/surveys/{surveyId}': {
    handle: async (req) => ({ status: 200, body: await existingSurvey(req.params.surveyId) }),
  },
  'POST /v1/surveys/{surveyId}/links': {
    handle: async (req) => {
      const id = req.params.surveyId;
      const { customerId, expiresInDays } = req.body;
      const survey = await existingSurvey(id);
      const now = Date.now();
      if (survey.recontactDays > 0) {
        const since = new Date(now - survey.recontactDays * DAY_MS).toISOString();
        if (await answeredSince(db, customerId, id, since)) {
          throw new Conflict(
            'recontact_too_soon',
            `Customer "${customerId}" answered this survey within the last ${survey.recontactDays} days.`,
          );
        }
      }
      const expiresAt = new Date(now + expiresInDays * DAY_MS);
      const token = signToken(await signingKeyring(), {
        purpose: 'survey',
        surveyId: id,
        customerId,
        exp: Math.floor(expiresAt.getTime() / 1000),
        nonce: newNonce(),
      });
      const url = `${req.origin}/s/${id}?t=${encodeURIComponent(token)}`;
      return { status: 201, body: { token, url, surveyId: id, customerId, expiresAt: expiresAt.toISOString() } };
    },
  },
});
