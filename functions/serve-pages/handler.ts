import * as z from 'zod/mini';
import { linkResponseId } from '#core/ids.ts';
import { parseOrigins } from '#core/origins.ts';
import { answersOf } from '#core/questions/index.ts';
import { SURVEY_ID } from '#core/schemas.ts';
import { verifyToken } from '#core/tokens.ts';
import { getResponse } from '#data/responses.ts';
import { getSurvey } from '#data/surveys.ts';
import { DASHBOARD_HEADERS, renderDashboardPage } from '#pages/dashboard-page.ts';
import { pickLocale, type PageLocale } from '#pages/i18n.ts';
import { renderSurveyPage, renderSurveyProblem, surveyPageHeaders } from '#pages/survey-page.ts';
import { ENV, readEnv } from '#runtime/env.ts';
import { httpHandler, type HttpRequest, type HttpResult } from '#runtime/http.ts';
import { signingKeyring } from '#runtime/secrets.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { CHANNEL, ONE_CLICK_SCORE, routes } from './routes.ts';

const db = tableFromEnv();
const DASHBOARD_HTML = renderDashboardPage();
// Config allowedOrigins: the team's own sites may frame the survey page (the website widget); no site by default.
const siteOrigins = readEnv({ [ENV.siteOrigins]: z.optional(z.string()) })[ENV.siteOrigins];
const SURVEY_PAGE_HEADERS = surveyPageHeaders(parseOrigins(siteOrigins));

const html = (status: number, content: string, headers: Record<string, string>, locale?: PageLocale): HttpResult => ({
  status,
  text: { contentType: 'text/html; charset=utf-8', content },
  headers: locale ? { ...headers, 'content-language': locale } : headers,
});

/**
 * The hosted survey for a link. A GET only reads: the answers are posted by the page's script, so a link scanner
 * records nothing. A bad or expired link is a 403 page, an unknown survey a 404 page.
 */
async function surveyPage(req: HttpRequest<(typeof routes)['GET /s/{surveyId}']>): Promise<HttpResult> {
  const locale = pickLocale(req.query.lang, req.language);
  const problem = (kind: 'invalid' | 'notFound') =>
    html(kind === 'invalid' ? 403 : 404, renderSurveyProblem(locale, kind), SURVEY_PAGE_HEADERS, locale);

  const surveyId = req.params.surveyId ?? '';
  const survey = SURVEY_ID.test(surveyId) ? await getSurvey(db, surveyId) : undefined;
  if (!survey) return problem('notFound');

  const token = req.query.t;
  const claims = token ? verifyToken(await signingKeyring(), token, 'survey', Date.now()) : null;
  if (token ? claims?.surveyId !== survey.surveyId : !survey.anonymous) return problem('invalid');

  // One link, one response: show what this link answered before, so a second visit edits rather than erases it.
  const earlier = claims ? await getResponse(db, linkResponseId(survey.surveyId, claims.nonce)) : undefined;
  const score =
    ONE_CLICK_SCORE.test(req.query.score ?? '') && survey.questions.includes('nps') ? Number(req.query.score) : undefined;
  const channel = CHANNEL.test(req.query.channel ?? '') ? req.query.channel! : 'web';

  const page = renderSurveyPage({
    locale,
    survey,
    token,
    channel,
    answeredBefore: earlier !== undefined,
    selected: { ...answersOf(earlier ?? {}), ...(score === undefined ? {} : { nps: score }) },
  });
  return html(200, page, SURVEY_PAGE_HEADERS, locale);
}

export const handler = httpHandler(routes, {
  'GET /s/{surveyId}': { handle: surveyPage },
  // The dashboard is a static shell: it asks for the admin token and calls the admin API itself.
  'GET /dashboard': { handle: async () => html(200, DASHBOARD_HTML, DASHBOARD_HEADERS) },
});
