import * as z from 'zod/mini';
import { PAGE_LOCALES } from '#pages/i18n.ts';
import { surveyId } from '#core/schemas.ts';
import { defineRoutes } from '#runtime/routes.ts';

/** The one-click score of an email's link, 0–10 (then checked against the first scale question's range). */
export const ONE_CLICK_SCORE = /^(10|[0-9])$/;
export const CHANNEL = /^[A-Za-z0-9_.-]{1,64}$/;

/** A page opens whatever its query says: a value that does not fit is ignored, never a 400. */
const ignoredIfBad = <T extends z.ZodMiniType<string>>(schema: T) => z.catch(z.optional(schema), undefined);

export const routes = defineRoutes({
  'GET /s/{surveyId}': {
    auth: 'public',
    summary: 'Hosted survey page',
    description:
      "`t` is the customer's link token; `score` preselects the answer to the survey's first scale question (NPS, else " +
      "CSAT, else CES). The page speaks `lang`, else the link's customer's stored locale, else Accept-Language. It " +
      'submits with a POST. An unknown survey is a 404 page, a bad or expired link a 403 page.',
    // An id that cannot exist is the 404 page, like an unknown one: never a JSON 400.
    params: z.object({ surveyId: z.catch(surveyId, '') }),
    query: z.object({
      t: z.optional(z.string().check(z.describe('The link token.'))),
      score: ignoredIfBad(
        z
          .string()
          .check(
            z.regex(ONE_CLICK_SCORE),
            z.describe("Preselected answer to the first scale question; ignored outside that question's range."),
          ),
      ),
      channel: ignoredIfBad(z.string().check(z.regex(CHANNEL), z.describe('Recorded with the response; default web.'))),
      lang: z.optional(
        z
          .string()
          .check(z.describe(`The page's language (${PAGE_LOCALES.join(', ')}); else the customer's, else Accept-Language.`)),
      ),
    }),
    languages: PAGE_LOCALES,
    responses: { 200: { description: 'The survey page.', contentType: 'text/html' } },
    errors: [],
  },
  'GET /dashboard': {
    auth: 'public',
    summary: 'Dashboard',
    description:
      'Asks for the admin token or a read key in the browser, then shows scores over time, distributions, segments and comments.',
    responses: { 200: { description: 'The dashboard page.', contentType: 'text/html' } },
    errors: [],
  },
});
