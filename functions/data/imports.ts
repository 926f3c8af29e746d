import type { BadRow, CustomerRow, ResponseRow } from '#core/imports.ts';
import { answersOf } from '#core/questions/index.ts';
import { unaskedAnswers } from '#core/responses.ts';
import { noteLatestResponse } from './appreciation.ts';
import { newCustomerItem, putCustomer, sameProfile } from './customers.ts';
import { BATCH_WRITE_ITEMS, batchGet, batchPut, byKey, type Db } from './db.ts';
import { keys } from './keys.ts';
import { insertResponse, profileStrings, type FeedbackResponse } from './responses.ts';
import { getSurvey, type Survey } from './surveys.ts';

/**
 * `npm run import`'s writes, a chunk of checked rows at a time. Every row is one item written whole or not at all,
 * and a row already imported is left alone, so running an import again (after an interruption, or twice) only
 * writes what is missing or different.
 */

export interface ChunkOutcome {
  created: number;
  updated: number;
  unchanged: number;
  bad: BadRow[];
}

/**
 * Customers by PUT semantics, keyed by customerId. New ones go in batch writes (newCustomerItem: the item the API
 * makes); existing ones that differ go through putCustomer, so their address's opt-out and suppression stay as
 * they are; existing ones that are the same are not written at all.
 */
export async function importCustomers(db: Db, rows: readonly CustomerRow[], now: string): Promise<ChunkOutcome> {
  const stored = byKey(
    await batchGet(
      db,
      rows.map((row) => keys.customer(row.customerId)),
      { consistent: true },
    ),
  );
  const fresh = [];
  const changed = [];
  let unchanged = 0;
  for (const row of rows) {
    const item = stored(keys.customer(row.customerId));
    if (!item) fresh.push(newCustomerItem(row.customerId, row.input, now));
    else if (sameProfile(item, row.input)) unchanged++;
    else changed.push(row);
  }
  // The chunk's BatchWriteItem requests go at once (batchPut sends its own one after another).
  const batches = [];
  for (let i = 0; i < fresh.length; i += BATCH_WRITE_ITEMS) batches.push(fresh.slice(i, i + BATCH_WRITE_ITEMS));
  await Promise.all([
    ...batches.map((batch) => batchPut(db, batch)),
    ...changed.map((row) => putCustomer(db, row.customerId, row.input, now)),
  ]);
  return { created: fresh.length, updated: changed.length, unchanged, bad: [] };
}

/** The surveys an import names, each read once. */
export function surveyLookup(db: Db): (surveyId: string) => Promise<Survey | undefined> {
  const surveys = new Map<string, Promise<Survey | undefined>>();
  return (surveyId) => {
    if (!surveys.has(surveyId)) surveys.set(surveyId, getSurvey(db, surveyId));
    return surveys.get(surveyId)!;
  };
}

/**
 * Responses written only if their id is new (a rerun writes nothing); the stream scorer counts them like any
 * response. The survey must exist and ask what is answered. Each customer's latest answer goes to win-back's
 * index, as the API does (a no-op for customers not imported yet: import customers first).
 */
export async function importResponses(
  db: Db,
  rows: readonly ResponseRow[],
  survey: (surveyId: string) => Promise<Survey | undefined>,
  now: string,
): Promise<ChunkOutcome> {
  const outcome: ChunkOutcome = { created: 0, updated: 0, unchanged: 0, bad: [] };
  const latest = new Map<string, string>();
  // Segments as on the API's path: each named customer's profile as it is now, one batch read per chunk.
  const named = [...new Set(rows.flatMap((row) => row.input.customerId ?? []))];
  const profiles = new Map(
    (await batchGet(db, named.map(keys.customer), { consistent: true, projection: 'customerId, attributes' })).map((item) => [
      String(item.customerId),
      profileStrings(item.attributes),
    ]),
  );
  await Promise.all(
    rows.map(async (row) => {
      const found = await survey(row.input.surveyId);
      if (!found)
        return outcome.bad.push({ line: row.line, reasons: [`surveyId: Survey "${row.input.surveyId}" does not exist.`] });
      const unasked = unaskedAnswers(found, row.input);
      if (unasked.length) return outcome.bad.push({ line: row.line, reasons: unasked.map((i) => `${i.path}: ${i.message}`) });
      const response: FeedbackResponse = {
        responseId: row.responseId,
        surveyId: found.surveyId,
        customerId: row.input.customerId,
        ...answersOf(row.input),
        channel: row.input.channel,
        attributes: row.input.attributes,
        scoredProfile: row.input.customerId === undefined ? undefined : (profiles.get(row.input.customerId) ?? {}),
        submittedAt: row.submittedAt,
        receivedAt: now,
        createdAt: now,
      };
      if (!(await insertResponse(db, response))) return outcome.unchanged++;
      outcome.created++;
      const customerId = response.customerId;
      if (customerId && !(response.submittedAt <= (latest.get(customerId) ?? ''))) latest.set(customerId, response.submittedAt);
    }),
  );
  // Best effort, as on the API's path: win-back checks the timeline before anyone is mailed.
  await Promise.all([...latest].map(([customerId, at]) => noteLatestResponse(db, customerId, at).catch(() => undefined)));
  return outcome;
}
