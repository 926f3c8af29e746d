import { describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, SNSEvent } from 'aws-lambda';
import { addDays } from '../../functions/core/dates.ts';
import { customerTag } from '../../functions/core/email-events.ts';
import { SendBlocked, type Mailer } from '../../functions/core/mail/ports.ts';
import { getCustomer, putCustomer, queryCustomerPartition } from '../../functions/data/customers.ts';
import { keys } from '../../functions/data/keys.ts';
import { unsubscribeCustomer } from '../../functions/data/mail-ledger.ts';
import { handler as recordEmailEvents } from '../../functions/record-email-events/handler.ts';
import { startRun } from '../../functions/send-appreciation/run-campaign.ts';
import { uniqueId } from '../support/factories.ts';
import { appreciationDb, givenAnswer, givenCustomer, sentTo, testPorts, uniqueDate } from '../support/appreciation.ts';

/** The address is the unit of contact: customers who share one share its period, cap, opt-out and suppression. */

const db = appreciationDb();
const BASE = 'https://feedback.example.com';
const BUDGET = 60_000;
const lambdaContext = { getRemainingTimeInMillis: () => 10_000, functionName: 'events', awsRequestId: 'r' } as unknown as Context;

/** Three customers with one address, spelt three ways, each a promoter of the day before `date`. */
async function givenThreeSharing(date: string) {
  const local = uniqueId('shared');
  const spellings = [`${local}@example.com`, `${local.toUpperCase()}@Example.com`, `${local}@EXAMPLE.COM`];
  const customers = [];
  for (const email of spellings) {
    const customer = await givenCustomer(db, { email, locale: 'en' });
    await givenAnswer(db, customer.customerId, { nps: 10, submittedAt: `${addDays(date, -1)}T10:00:00.000Z` });
    customers.push(customer);
  }
  return { customers, spellings };
}

const thank = (ports: ReturnType<typeof testPorts>['ports'], date: string) =>
  startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: BASE }, BUDGET);

const stored = async (key: { pk: string; sk: string }) =>
  (await db.client.send(new GetCommand({ TableName: db.table, Key: key, ConsistentRead: true }))).Item;

describe('customers sharing an address', () => {
  it('get one email per period between them, whatever the case of the address', async () => {
    const date = uniqueDate();
    const { spellings } = await givenThreeSharing(date);
    const { ports } = testPorts(db);

    const report = await thank(ports, date);

    expect(report).toMatchObject({ status: 'done', selected: 3, sent: 1, skipped: { alreadySent: 2, unsubscribed: 0 } });
    expect(await sentTo(...spellings)).toHaveLength(1);
    const again = await thank(ports, date);
    expect(again).toMatchObject({ status: 'done', selected: 3, sent: 0, skipped: { alreadySent: 3 } });
    expect(await sentTo(...spellings)).toHaveLength(1);
  });

  it('a dry run would mail the address once', async () => {
    const date = uniqueDate();
    const { spellings } = await givenThreeSharing(date);
    const { ports } = testPorts(db);

    const report = await startRun(ports, { campaignId: 'promoter-thanks', date, dryRun: true, linkBaseUrl: BASE }, BUDGET);

    expect(report).toMatchObject({ selected: 3, skipped: { alreadySent: 2 } });
    expect(report.recipients).toHaveLength(1);
    expect(await sentTo(...spellings)).toHaveLength(0);
  });

  it('get one email between them from 5 concurrent runs, each claiming them concurrently', async () => {
    const date = uniqueDate();
    const { spellings } = await givenThreeSharing(date);
    const { ports } = testPorts(db);

    const reports = await Promise.all(Array.from({ length: 5 }, () => thank(ports, date)));

    expect(reports.reduce((sum, r) => sum + r.sent, 0)).toBe(1);
    for (const r of reports) expect(r.sent + r.skipped.alreadySent).toBe(3);
    expect(await sentTo(...spellings)).toHaveLength(1);
  });

  it('unsubscribing one stops the others, and a customer created later with the address', async () => {
    const date = uniqueDate();
    const { customers, spellings } = await givenThreeSharing(date);
    await unsubscribeCustomer(db, customers[1]!.customerId, new Date().toISOString());
    const later = await givenCustomer(db, { email: ` ${spellings[0]!.toUpperCase()} `, locale: 'en' });
    await givenAnswer(db, later.customerId, { nps: 10, submittedAt: `${addDays(date, -1)}T11:00:00.000Z` });

    for (const c of [...customers, later]) expect((await getCustomer(db, c.customerId))?.unsubscribed).toBe(true);
    const report = await thank(testPorts(db).ports, date);

    expect(report).toMatchObject({ status: 'done', selected: 4, sent: 0, skipped: { unsubscribed: 4 } });
    expect(await sentTo(...spellings, later.email)).toHaveLength(0);
  });

  it.each([
    ['a permanent bounce', { eventType: 'Bounce', bounce: { bounceType: 'Permanent' } }],
    ['a complaint', { eventType: 'Complaint', complaint: {} }],
  ])('%s about one suppresses the others', async (_, body) => {
    const date = uniqueDate();
    const { customers, spellings } = await givenThreeSharing(date);
    const message = {
      ...body,
      mail: { messageId: 'm-1', destination: [spellings[2]], tags: { customer: [customerTag.encode(customers[2]!.customerId)] } },
    };
    const event = { Records: [{ Sns: { Message: JSON.stringify(message) } }] } as unknown as SNSEvent;

    await recordEmailEvents(event, lambdaContext);

    for (const c of customers) expect((await getCustomer(db, c.customerId))?.suppressed).toBe(true);
    const report = await thank(testPorts(db).ports, date);
    expect(report).toMatchObject({ status: 'done', selected: 3, sent: 0, skipped: { suppressed: 3 } });
    expect(await sentTo(...spellings)).toHaveLength(0);
  });

  it('a bounce reported for an address the customer no longer has suppresses that address, not the customer', async () => {
    const old = `${uniqueId('old')}@example.com`;
    const moved = await givenCustomer(db, { email: old, locale: 'en' });
    const stillThere = await givenCustomer(db, { email: old, locale: 'en' });
    await putCustomer(db, moved.customerId, { email: `${uniqueId('new')}@example.com`, locale: 'en' }, new Date().toISOString());
    const message = {
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{ emailAddress: old }] },
      mail: { messageId: 'm-2', destination: [old], tags: { customer: [customerTag.encode(moved.customerId)] } },
    };

    await recordEmailEvents({ Records: [{ Sns: { Message: JSON.stringify(message) } }] } as unknown as SNSEvent, lambdaContext);

    expect((await getCustomer(db, moved.customerId))?.suppressed).toBeUndefined();
    expect((await getCustomer(db, stillThere.customerId))?.suppressed).toBe(true);
  });

  it('a customer who changes their address leaves its opt-out and its claims behind', async () => {
    const date = uniqueDate();
    const { customers, spellings } = await givenThreeSharing(date);
    await thank(testPorts(db).ports, date); // one of them got the address's email of the period
    const ledgers = await Promise.all(customers.map((c) => queryCustomerPartition(db, c.customerId, 'EMAIL#')));
    const unsubscriber = customers[ledgers.findIndex((entries) => entries.length > 0)]!;
    const mover = customers[ledgers.findIndex((entries) => entries.length === 0)]!;
    await unsubscribeCustomer(db, unsubscriber.customerId, new Date().toISOString());
    const fresh = `${uniqueId('fresh')}@example.com`;

    const moved = await putCustomer(db, mover.customerId, { email: fresh, locale: 'en' }, new Date().toISOString());

    expect(moved.unsubscribed).toBe(false);
    expect((await getCustomer(db, unsubscriber.customerId))?.unsubscribed).toBe(true);
    // Only the spelling changes: the same address, still unsubscribed.
    const respelt = await putCustomer(
      db,
      unsubscriber.customerId,
      { email: spellings[0]!.toUpperCase() },
      new Date().toISOString(),
    );
    expect(respelt.unsubscribed).toBe(true);
    const rerun = await thank(testPorts(db).ports, date);
    expect(rerun).toMatchObject({ selected: 3, sent: 1, skipped: { unsubscribed: 2 } });
    expect(await sentTo(fresh)).toHaveLength(1);
  });

  it('an account-level SES refusal gives the address its period and cap back', async () => {
    const date = uniqueDate();
    const { customers, spellings } = await givenThreeSharing(date);
    const refuse: Mailer = async () => {
      throw new SendBlocked('AccessDeniedException', 'not authorised');
    };

    const blocked = await thank(testPorts(db, { send: refuse }).ports, date);

    expect(blocked).toMatchObject({ status: 'paused', sent: 0 });
    const address = await stored(keys.address(spellings[0]!));
    expect(address?.lastSentAt).toBeUndefined();
    expect(address?.['lastOn#promoter-thanks']).toBeUndefined();
    for (const c of customers) expect(await queryCustomerPartition(db, c.customerId, 'EMAIL#')).toEqual([]);
    const fixed = await startRun(
      testPorts(db).ports,
      { campaignId: 'promoter-thanks', date, dryRun: false, linkBaseUrl: BASE },
      BUDGET,
    );
    expect(fixed.sent).toBe(1);
    expect(await sentTo(...spellings)).toHaveLength(1);
  });
});
