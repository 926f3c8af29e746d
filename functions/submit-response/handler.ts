import { IdempotencyInProgress, IdempotencyKeyReused, NotFound, ValidationFailed } from '#core/errors.ts';
import { bodyHash, newId } from '#core/ids.ts';
import { answersOf } from '#core/questions/index.ts';
import { checkSubmittedAt, resolveRespondent, unaskedAnswers } from '#core/responses.ts';
import { segmentValuesOf } from '#core/scores.ts';
import type { ResponseInput } from '#core/schemas.ts';
import { verifyToken, type TokenClaims } from '#core/tokens.ts';
import { noteLatestResponse } from '#data/appreciation.ts';
import { wasErased } from '#data/erasure.ts';
import { retryTransient } from '#data/db.ts';
import {
  claimIdempotencyKey,
  completeIdempotencyKey,
  releaseIdempotencyKey,
  scopedIdempotencyKey,
  type IdempotentResult,
  type KeyCaller,
} from '#data/idempotency.ts';
import { saveResponse, saveResponseCompletingKey, scoringProfile, type FeedbackResponse } from '#data/responses.ts';
import { placeAnonymousSegments } from '#data/segment-values.ts';
import { getSurveyCached } from '#data/surveys.ts';
import { httpHandler, type HttpRequest, type HttpResult } from '#runtime/http.ts';
import { logger } from '#runtime/logger.ts';
import { signingKeyring } from '#runtime/secrets.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { routes } from './routes.ts';

const db = tableFromEnv();

interface HeldKey {
  key: string;
  owner: string;
}

/** Checks the answers against the survey and the link, then stores them: a link's later submission replaces its answers. */
async function accept(
  input: ResponseInput,
  submittedAt: string | undefined,
  isAdmin: boolean,
  claims: TokenClaims | null,
  held?: HeldKey,
) {
  // The customer the answer will name (checked below): their profile is read beside the survey, not after it.
  const named = claims?.customerId ?? (isAdmin ? input.customerId : undefined);
  const [survey, erased, profile] = await Promise.all([
    getSurveyCached(db, input.surveyId),
    claims ? wasErased(db, claims.customerId) : false,
    named === undefined ? undefined : scoringProfile(db, named),
  ]);
  if (!survey) throw new NotFound(`Survey "${input.surveyId}"`);
  // A link to an erased customer: they are gone, and their answers must not come back.
  if (erased) throw new NotFound(`Customer "${claims!.customerId}"`);
  const unasked = unaskedAnswers(survey, input);
  if (unasked.length > 0) throw new ValidationFailed(unasked);
  const respondent = resolveRespondent(survey, input, claims, isAdmin);
  // Anyone may answer an anonymous survey: what its answers add to the scores is bounded (ANONYMOUS_SEGMENT_LIMIT).
  const anonymous = !claims && !isAdmin;
  const scoredSegments = anonymous
    ? await placeAnonymousSegments(db, survey.surveyId, segmentValuesOf(input, survey.segmentBy))
    : undefined;

  const receivedAt = new Date().toISOString();
  const response: FeedbackResponse = {
    responseId: respondent.linkResponseId ?? newId(),
    surveyId: survey.surveyId,
    customerId: respondent.customerId,
    ...answersOf(input),
    channel: input.channel,
    attributes: input.attributes,
    // The profile the answer's segments come from, as it is now (a link's first answer fixes it).
    scoredProfile: respondent.customerId === undefined ? undefined : profile,
    scoredSegments,
    // The link's invitation: the stream scorer marks it answered, off this request's path.
    invitationId: respondent.linkResponseId ? claims?.invitationId : undefined,
    submittedAt: submittedAt ?? receivedAt,
    receivedAt,
    createdAt: receivedAt,
  };
  const answer = (created: boolean): IdempotentResult => {
    const body = {
      responseId: response.responseId,
      surveyId: response.surveyId,
      customerId: response.customerId ?? null,
      receivedAt,
      ...(created ? {} : { updated: true }),
    };
    return { status: created ? 201 : 200, body: JSON.stringify(body) };
  };

  let result: IdempotentResult;
  if (!held) {
    // Last writer wins: one write that never has to beat a concurrent submission of the same link.
    result = answer((await saveResponse(db, response)).created);
  } else if (respondent.linkResponseId) {
    // A link has one response item, so a request retried after a crash between these two writes rewrites it rather
    // than storing another: the key is completed after the write. (In one transaction, concurrent submissions of one
    // link would conflict with each other and retry until they timed out.)
    result = answer((await saveResponse(db, response)).created);
    if (!(await completeIdempotencyKey(db, held.key, held.owner, result))) throw new IdempotencyInProgress();
  } else {
    // A new response id: the key's answer commits with the write, so a request retried after a crash never stores
    // a second response.
    result = answer(true);
    const outcome = await retryTransient(() => saveResponseCompletingKey(db, response, 'new', { ...held, result }));
    if (outcome !== 'saved') throw new IdempotencyInProgress(); // the key's lease ran out and another request took it
  }
  const updated = result.status === 200;
  // Win-back's index; best effort: a stale entry is checked against the timeline before anyone is mailed.
  if (response.customerId) {
    await noteLatestResponse(db, response.customerId, response.submittedAt).catch((error: unknown) =>
      logger.warn('LastResponseNotNoted', { responseId: response.responseId, error: (error as Error).name }),
    );
  }
  logger.info('ResponseAccepted', { surveyId: survey.surveyId, responseId: response.responseId, updated });
  return result;
}

const asHttp = (result: IdempotentResult, headers?: Record<string, string>): HttpResult => ({
  status: result.status,
  text: { contentType: 'application/json; charset=utf-8', content: result.body },
  headers,
});

async function submit(req: HttpRequest<(typeof routes)['POST /v1/responses']>): Promise<HttpResult> {
  const input = req.body;
  // The admin token or a key with the ingest scope (the route's auth checked it): may import history.
  const importer = req.caller !== undefined;
  const submittedAt = checkSubmittedAt(input, importer, Date.now());
  const claims = input.token === undefined ? null : verifyToken(await signingKeyring(), input.token, 'survey', Date.now());
  const sentKey = req.headers['idempotency-key'];
  if (sentKey === undefined) return asHttp(await accept(input, submittedAt, importer, claims));

  // The caller's own namespace: an invalid token counts as anonymous (the request is then refused, the key freed).
  const caller: KeyCaller =
    req.caller?.kind === 'key'
      ? { kind: 'apiKey', keyId: req.caller.keyId }
      : req.caller
        ? { kind: 'admin' }
        : claims
          ? { kind: 'customer', customerId: claims.customerId }
          : { kind: 'anonymous' };
  const key = scopedIdempotencyKey(caller, sentKey);
  const claim = await claimIdempotencyKey(db, key, bodyHash(`${importer}\n${req.rawBody}`), Date.now());
  if (claim.kind === 'mismatch') throw new IdempotencyKeyReused();
  if (claim.kind === 'in_progress') throw new IdempotencyInProgress();
  if (claim.kind === 'replay') return asHttp(claim.result, { 'idempotent-replayed': 'true' });
  const held = { key, owner: claim.owner };
  try {
    return asHttp(await accept(input, submittedAt, importer, claims, held));
  } catch (error) {
    await releaseIdempotencyKey(db, key, claim.owner); // a rejected or failed request leaves nothing behind
    throw error;
  }
}

export const handler = httpHandler(routes, { 'POST /v1/responses': { handle: submit } });
