import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { keys } from '../../functions/data/keys.ts';
import { FUNCTIONS } from '../../lib/manifest.ts';
import { lambdaContext, loadHandler } from '../../lib/local/lambda-runtime.ts';
import { teamEmails, useAlertsStack } from '../support/alerts-stack.ts';
import { table, testDb, useApi } from '../support/api.ts';
import { givenCustomer, givenLink, givenSurvey } from '../support/factories.ts';
import { streamRecord } from '../support/notifier.ts';
import { within } from '../support/scoring-stack.ts';

/** The detractor alert end to end: the API accepts, the stream feeds the notifier, the team's email lands in the local SES. */

const stack = useAlertsStack({ publicBaseUrl: 'https://feedback.example' });
const api = useApi();

const submit = (body: Record<string, unknown>) => api.request('POST', '/v1/responses', { body });
const emailsAbout = (responseId: string) => teamEmails(responseId);

async function givenCustomerWithLink(surveyId: string, name = 'Ayşe Yılmaz') {
  const customerId = await givenCustomer(api, { name });
  const { token } = await givenLink(api, surveyId, customerId);
  return { customerId, token };
}

describe('the detractor alert', () => {
  it('reaches the team within 10 seconds of the response, naming survey, customer, score, comment and link', async () => {
    const surveyId = await givenSurvey(api, { name: 'After purchase' });
    const { customerId, token } = await givenCustomerWithLink(surveyId);
    const started = Date.now();
    const accepted = await submit({ surveyId, token, nps: 2, comment: 'The parcel came broken, twice.' });
    expect(accepted.status).toBe(201);
    const { responseId } = accepted.body as { responseId: string };

    const { value: emails, elapsedMs } = await within(
      10_000,
      () => emailsAbout(responseId),
      (found) => found.length > 0,
    );
    expect(emails).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(elapsedMs).toBeLessThan(10_000);
    const [email] = emails;
    expect(email!.subject).toBe('Detractor alert: Ayşe Yılmaz rated After purchase 2/10');
    expect(email!.destination.to).toEqual(['team@example.com']);
    const text = email!.body.text!;
    expect(text).toContain(`Survey: After purchase (${surveyId})`);
    expect(text).toContain(`Customer: Ayşe Yılmaz (${customerId})`);
    expect(text).toContain('Score: 2/10');
    expect(text).toContain('Comment: The parcel came broken, twice.');
    expect(text).toContain(`See the customer: https://feedback.example/dashboard?customer=${customerId}`);
    // The customer's address is not in the team's alert.
    const customer = await api.request('GET', `/v1/customers/${customerId}`, { admin: true });
    expect(text).not.toContain(customer.body.customer.email);
  });

  it('comes for an edit 9 → 3, and not again for 3 → 2, nor for a promoter or a passive', async () => {
    const surveyId = await givenSurvey(api, { name: 'Support' });
    const { token } = await givenCustomerWithLink(surveyId, 'Mart Tamm');
    const promoter = await submit({ surveyId, token, nps: 9 });
    const responseId = promoter.body.responseId as string;
    const passive = await givenCustomerWithLink(surveyId);
    const passiveId = (await submit({ surveyId, token: passive.token, nps: 7 })).body.responseId as string;

    expect((await submit({ surveyId, token, nps: 3, comment: 'Changed my mind.' })).body).toMatchObject({
      responseId,
      updated: true,
    });
    const alerted = await within(
      10_000,
      () => emailsAbout(responseId),
      (found) => found.length > 0,
    );
    expect(alerted.value.map((e) => e.subject)).toEqual(['Detractor alert: Mart Tamm rated Support 3/10']);

    expect((await submit({ surveyId, token, nps: 2, comment: 'Worse.' })).status).toBe(200);
    await stack.drained();
    expect(await emailsAbout(responseId)).toHaveLength(1);
    expect(await emailsAbout(passiveId)).toHaveLength(0);
  });

  it('is sent once however often the stream delivers the record: 5 replays and duplicates, 1 email', async () => {
    const surveyId = await givenSurvey(api, { name: 'Replays' });
    const { token } = await givenCustomerWithLink(surveyId);
    const accepted = await submit({ surveyId, token, nps: 1, comment: 'No.' });
    const responseId = accepted.body.responseId as string;
    await within(
      10_000,
      () => emailsAbout(responseId),
      (found) => found.length > 0,
    );
    // The same answers again through the link, and a repeated request (same Idempotency-Key): nothing new to tell.
    const again = { body: { surveyId, token, nps: 1, comment: 'No.' }, headers: { 'Idempotency-Key': `k-${responseId}` } };
    for (let i = 0; i < 3; i++) expect((await api.request('POST', '/v1/responses', again)).status).toBe(200);

    // The record as the stream carried it, delivered again to the deployed handler: the same eventID (a replay) and
    // new ones (duplicates from another delivery), in one batch and in several.
    const { Item } = await testDb().send(
      new GetCommand({ TableName: table(), Key: keys.response(responseId), ConsistentRead: true }),
    );
    const item = Item as Record<string, unknown>;
    const first = streamRecord(keys.response(responseId), undefined, item);
    const notifier = FUNCTIONS.find((fn) => fn.name === 'NotifyTeam')!;
    const handler = await loadHandler<(event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>>(notifier);
    const context = lambdaContext(notifier);
    for (let i = 0; i < 5; i++) {
      const duplicate = streamRecord(keys.response(responseId), undefined, item);
      expect(await handler({ Records: [first, duplicate, first] }, context)).toEqual({ batchItemFailures: [] });
    }
    await stack.drained();
    expect(await emailsAbout(responseId)).toHaveLength(1);
  });
});
