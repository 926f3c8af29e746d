import * as z from 'zod/mini';
import { parseBrand } from '#core/brand.ts';
import { linkResponseId } from '#core/ids.ts';
import { parseOrigins } from '#core/origins.ts';
import { answersOf, firstScaleQuestion } from '#core/questions/index.ts';
import { SURVEY_ID } from '#core/schemas.ts';
import { verifyToken } from '#core/tokens.ts';
import { getCustomer } from '#data/customers.ts';
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
const env = readEnv({ [ENV.siteOrigins]: z.optional(z.string()), [ENV.brand]: z.optional(z.string()) });
// Config brand: the page's logo or name and its colour.
const brand = parseBrand(env[ENV.brand]);
const SURVEY_PAGE_HEADERS = surveyPageHeaders(parseOrigins(env[ENV.siteOrigins]), brand);

const html = (status: number, content: string, headers: Record<string, string>, locale?: PageLocale): HttpResult => ({
  status,
  text: { contentType: 'text/html; charset=utf-8', content },
  headers: locale ? { ...headers, 'content-language': locale } : headers,
});

/**
 * The hosted survey for a link. A GET only reads: the answers are posted by the page's script, so a link scanner
 * records nothing. A bad or expired link is a 403 page, an unknown survey a 404 page. A link that names a customer
 * speaks their language.
 */
async function surveyPage(req: HttpRequest<(typeof routes)['GET /s/{surveyId}']>): Promise<HttpResult> {
  const surveyId = req.params.surveyId ?? '';
  const token = req.query.t;
  const claims = token ? verifyToken(await signingKeyring(), token, 'survey', Date.now()) : null;
  const forThisSurvey = claims?.surveyId === surveyId ? claims : null;
  // Read together: the survey; what this link answered before (one link, one response: a second visit edits rather
  // than erases it); the customer the link names, for their language.
  const [survey, earlier, customer] = await Promise.all([
    SURVEY_ID.test(surveyId) ? getSurvey(db, surveyId) : undefined,
    forThisSurvey ? getResponse(db, linkResponseId(surveyId, forThisSurvey.nonce)) : undefined,
    forThisSurvey ? getCustomer(db, forThisSurvey.customerId) : undefined,
  ]);
  const locale = pickLocale(req.query.lang, req.language, customer?.locale);
  const problem = (kind: 'invalid' | 'notFound') =>
    html(kind === 'invalid' ? 403 : 404, renderSurveyProblem(locale, kind, brand), SURVEY_PAGE_HEADERS, locale);

  if (!survey) return problem('notFound');
  if (token ? !forThisSurvey : !survey.anonymous) return problem('invalid');

  // A one-click score preselects the first scale question's answer (NPS, CSAT or CES), when it is in its range.
  const first = firstScaleQuestion(survey.questions);
  const score = ONE_CLICK_SCORE.test(req.query.score ?? '') ? Number(req.query.score) : undefined;
  const oneClick = first && score !== undefined && score >= first.min && score <= first.max ? { [first.id]: score } : {};
  const channel = CHANNEL.test(req.query.channel ?? '') ? req.query.channel! : 'web';

  const page = renderSurveyPage({
    locale,
    survey,
    token,
    channel,
    answeredBefore: earlier !== undefined,
    selected: { ...answersOf(earlier ?? {}), ...oneClick },
    brand,
  });
  return html(200, page, SURVEY_PAGE_HEADERS, locale);
}

export const handler = httpHandler(routes, {
  'GET /s/{surveyId}': { handle: surveyPage },
  // The dashboard is a static shell: it asks for the admin token and calls the admin API itself.
  'GET /dashboard': { handle: async () => html(200, DASHBOARD_HTML, DASHBOARD_HEADERS) },
});
