import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { markInvitationAnswered } from '#data/invitations.ts';
import { applyScoreChunk, existingClaims, markPoisonSent } from '#data/scores.ts';
import { getSurvey } from '#data/surveys.ts';
import { dlqFromEnv } from '#runtime/dlq.ts';
import { logger } from '#runtime/logger.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { scoreBatch, type ScorerPorts } from './score-batch.ts';

const db = tableFromEnv();
const sendToDlq = dlqFromEnv();

/** A survey's segmentBy changes rarely; a short cache keeps the scorer from reading surveys on every batch. */
const SEGMENTS_TTL_MS = 30_000;
const segmentsCache = new Map<string, { segmentBy: readonly string[]; until: number }>();

async function segmentsOf(surveyIds: readonly string[]) {
  const now = Date.now();
  for (const id of surveyIds) {
    const cached = segmentsCache.get(id);
    if (cached && cached.until > now) continue;
    const survey = await getSurvey(db, id);
    segmentsCache.set(id, { segmentBy: survey?.segmentBy ?? [], until: now + SEGMENTS_TTL_MS });
  }
  return (surveyId: string) => segmentsCache.get(surveyId)?.segmentBy ?? [];
}

const ports: ScorerPorts = {
  applyChunk: (chunk) => applyScoreChunk(db, chunk, Date.now()),
  segmentsOf,
  existingClaims: (eventIds) => existingClaims(db, eventIds),
  markPoisonSent: (eventId) => markPoisonSent(db, eventId),
  // Answered: out of the due index (no reminder, no expiry) and the survey's open slot freed, once.
  markAnswered: (answer) => markInvitationAnswered(db, answer),
  sendToDlq,
  log: {
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  },
};

/** The table's stream → day aggregates, and answered invitations. Partial failures are reported (ReportBatchItemFailures). */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) => scoreBatch(event.Records, ports));
