import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parseKeyring, signToken } from '../../functions/core/tokens.ts';
import { keys } from '../../functions/data/keys.ts';
import { getInvitations, moveInvitation, scheduleInvitations, type Invitation } from '../../functions/data/invitations.ts';
import { differences, recountScores, storedScores } from '../../functions/data/score-recount.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { TEST_KEYRING } from '../setup-env.ts';
import { getItem, table, testDb, useApi } from '../support/api.ts';
import { givenCustomer, givenLink, givenSurvey, uniqueId } from '../support/factories.ts';
import { useScoringStack, within } from '../support/scoring-stack.ts';

/**
 * The answered half of the loop, on DynamoDB Local with the stream scorer: invitations scheduled and moved to sent as
 * the dispatcher does, answered through signed links that carry the invitation id; then `answered` (out of the due
 * index, the open slot freed), the scores' invitations block and a recount at 0 differences.
 */
const scoring = useScoringStack();
const api = useApi();
const db = () => ({ client: testDb(), table: table() });
const ring = parseKeyring(JSON.stringify(TEST_KEYRING));

const DAY_A = '2026-11-20';
const DAY_B = '2026-11-21';

async function givenSentInvitation(surveyId: string, sentAt: string | null) {
  const customerId = await givenCustomer(api);
  const invitation = {
    invitationId: uniqueId('inv'),
    surveyId,
    customerId,
    trigger: 'manual' as const,
    sendAt: `${DAY_A}T08:00:00.000Z`,
  };
  expect(await scheduleInvitations(db(), customerId, [invitation], { now: new Date().toISOString(), throttleDays: 0 })).toBe(
    true,
  );
  if (sentAt) {
    const expiresAt = new Date(Date.parse(sentAt) + 14 * 86_400_000).toISOString();
    const remindAt = new Date(Date.parse(sentAt) + 3 * 86_400_000).toISOString();
    expect(await moveInvitation(db(), invitation, 'scheduled', { status: 'sent', sentAt, expiresAt }, remindAt)).toBe(true);
  }
  const token = signToken(ring, {
    purpose: 'survey',
    customerId,
    surveyId,
    exp: Math.floor(Date.now() / 1000) + 86_400,
    nonce: uniqueId('n'),
    invitationId: invitation.invitationId,
  });
  return { ...invitation, token };
}

const stored = async (invitationId: string): Promise<Invitation & Record<string, unknown>> =>
  (await getItem(keys.invitation(invitationId).pk, keys.invitation(invitationId).sk)) as Invitation & Record<string, unknown>;
const answer = (surveyId: string, token: string, nps: number, headers?: Record<string, string>) =>
  api.request('POST', '/v1/responses', { body: { surveyId, token, nps }, headers });
const scores = (surveyId: string, query: string) => api.request('GET', `/v1/surveys/${surveyId}/scores${query}`, { admin: true });

describe('answering an invitation', () => {
  it('marks it answered once, counts the response rate by the day of sending, and recounts to 0 differences', async () => {
    const surveyId = await givenSurvey(api, { questions: ['nps', 'comment'] });
    const first = await givenSentInvitation(surveyId, `${DAY_A}T09:00:00.000Z`); // answered, resubmitted, retried
    const keyed = await givenSentInvitation(surveyId, `${DAY_B}T23:30:00.000Z`); // answered with an Idempotency-Key, replayed
    const unanswered = await givenSentInvitation(surveyId, `${DAY_A}T10:00:00.000Z`);
    const late = await givenSentInvitation(surveyId, `${DAY_B}T10:00:00.000Z`); // expires, then is answered anyway
    const unsent = await givenSentInvitation(surveyId, null);

    const created = await answer(surveyId, first.token, 9);
    expect(created.status).toBe(201);
    const resubmitted = await Promise.all([answer(surveyId, first.token, 3), answer(surveyId, first.token, 4)]);
    expect(resubmitted.map((r) => r.status)).toEqual([200, 200]);
    const key = { 'idempotency-key': uniqueId('key') };
    expect((await answer(surveyId, keyed.token, 10, key)).status).toBe(201);
    const replayed = await answer(surveyId, keyed.token, 10, key);
    expect(replayed.headers.get('idempotent-replayed')).toBe('true');
    expect(await moveInvitation(db(), late, 'sent', { status: 'expired' }, null)).toBe(true);
    expect((await answer(surveyId, late.token, 6)).status).toBe(201);
    // A plain link and an import alongside: they count as responses, not in the response rate.
    const plain = await givenLink(api, surveyId);
    expect((await api.request('POST', '/v1/responses', { body: { surveyId, token: plain.token, nps: 8 } })).status).toBe(201);

    const everything = `?from=${DAY_A}&to=${new Date().toISOString().slice(0, 10)}&interval=total`;
    await within(
      10_000,
      () => scores(surveyId, everything),
      (r) => r.body.total?.invitations?.answered === 2 && r.body.total?.responses === 4,
    );
    await scoring.drained();

    // The response carries its invitation; the invitation is answered as of the link's first answer, out of the due index.
    const response = await getItem(keys.response(created.body.responseId).pk, keys.response(created.body.responseId).sk);
    expect(response).toMatchObject({ invitationId: first.invitationId, nps: 4 });
    const answered = await stored(first.invitationId);
    expect(answered).toMatchObject({ status: 'answered', answeredAt: response!.createdAt, sentAt: `${DAY_A}T09:00:00.000Z` });
    expect(answered.gsi3pk).toBeUndefined();
    expect((await stored(keyed.invitationId)).status).toBe('answered');
    // Still due (its reminder) and open: the one that was not answered; the expired one stays expired.
    expect(await stored(unanswered.invitationId)).toMatchObject({ status: 'sent', gsi3pk: expect.any(String) });
    expect((await stored(late.invitationId)).status).toBe('expired');
    expect((await stored(unsent.invitationId)).status).toBe('scheduled');
    // The open slots of the answered ones are free (a new invitation to this survey may be scheduled); the others hold.
    const state = async (customerId: string) =>
      (await getItem(keys.inviteState(customerId).pk, keys.inviteState(customerId).sk))!;
    await expect(state(first.customerId)).resolves.not.toHaveProperty(`open:${surveyId}`);
    await expect(state(keyed.customerId)).resolves.not.toHaveProperty(`open:${surveyId}`);
    expect(await state(unanswered.customerId)).toHaveProperty(`open:${surveyId}`, unanswered.invitationId);
    // Marking again is a no-op: only a sent invitation moves.
    expect(await moveInvitation(db(), first, 'sent', { status: 'answered', answeredAt: new Date().toISOString() }, null)).toBe(
      false,
    );
    expect((await getInvitations(db(), [first.invitationId]))[0]!.answeredAt).toBe(response!.createdAt);

    // Sent on day A: first, unanswered (1 of 2 answered); on day B: keyed, late (1 of 2; late expired unanswered).
    const days = await scores(surveyId, `?from=${DAY_A}&to=${DAY_B}&interval=day`);
    expect(days.body.series.map((s: { period: string; invitations: unknown }) => [s.period, s.invitations])).toEqual([
      [DAY_A, { sent: 2, answered: 1, responseRate: 50 }],
      [DAY_B, { sent: 2, answered: 1, responseRate: 50 }],
    ]);
    expect(days.body.total.invitations).toEqual({ sent: 4, answered: 2, responseRate: 50 });
    const total = await scores(surveyId, everything);
    expect(total.body.total).toMatchObject({ responses: 4, invitations: { sent: 4, answered: 2, responseRate: 50 } });

    // The aggregates equal a recount, in code and through `npm run scores -- verify`.
    expect(
      differences((await recountScores(db(), { surveyIds: [surveyId] })).buckets, await storedScores(db(), { surveyId })),
    ).toEqual([]);
    const { stderr } = await promisify(execFile)(
      'npx',
      ['tsx', 'scripts/scores.ts', 'verify', '--table', table(), '--survey', surveyId],
      {
        env: { ...process.env, [ENV.dynamodbEndpoint]: process.env[ENV.dynamodbEndpoint] },
      },
    );
    expect(stderr).toMatch(/recounted 4 responses and 5 invitations/);
    expect(stderr).toMatch(/^0 differences$/m);
  }, 60_000);

  it('closes an invitation its dispatch left scheduled after the send: answered, counted, and never reminded', async () => {
    const surveyId = await givenSurvey(api, { questions: ['nps'] });
    // The email went out, and the dispatch stopped before moving the invitation to sent.
    const stranded = await givenSentInvitation(surveyId, null);
    expect((await answer(surveyId, stranded.token, 9)).status).toBe(201);
    await scoring.drained(); // the stream scorer marks the invitation answered
    const closed = await stored(stranded.invitationId);
    expect(closed).toMatchObject({ status: 'answered', sentAt: closed.answeredAt });
    expect(closed.gsi3pk).toBeUndefined();
    // The dispatch that takes it up again cannot move it to sent, so no reminder falls due.
    const later = new Date(Date.now() + 60_000).toISOString();
    expect(await moveInvitation(db(), stranded, 'scheduled', { status: 'sent', sentAt: later, expiresAt: later }, later)).toBe(
      false,
    );
    expect((await stored(stranded.invitationId)).status).toBe('answered');
    // Counted sent and answered on the day of the answer.
    const today = closed.answeredAt!.slice(0, 10);
    await scoring.drained(); // the scorer counts the invitation from the answered mark's own stream record
    const total = await scores(surveyId, `?from=${today}&to=${today}&interval=total`);
    expect(total.body.total.invitations).toEqual({ sent: 1, answered: 1, responseRate: 100 });
  });
});
