import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll, type Db, type Item, type QueryInput } from './db.ts';
import { toCustomer, type Customer } from './customers.ts';
import { toEvent, type CustomerEvent } from './events.ts';
import { toInvitation, type Invitation } from './invitations.ts';
import {
  customerEventsPartition,
  customerInvitationsPartition,
  EMAIL_LEDGER_PREFIX,
  keys,
  publicFields,
  timelineIndex,
} from './keys.ts';
import type { FeedbackResponse } from './responses.ts';

/**
 * Every place an item about a customer lives, as the query that finds it: their responses (gsi2 timeline), their
 * invitations and events (gsi2), and their own partition (the profile, the email ledger, the mail and invite
 * states). Export reads these, erasure deletes what they find. The address item (ADDRESS#<sha256>) is not among
 * them: it holds no address, only the opt-out and suppression that must outlive the customer. Idempotency records
 * of link submissions name the customer in their key and answer, but only a scan could find them: they expire
 * within 24 hours (IDEMPOTENCY_TTL_SECONDS).
 */
export const customerItems = (customerId: string) => {
  const onIndex = (partition: string): QueryInput => ({
    IndexName: 'gsi2',
    KeyConditionExpression: 'gsi2pk = :pk',
    ExpressionAttributeValues: { ':pk': partition },
  });
  return {
    responses: onIndex(timelineIndex(customerId, '', '').gsi2pk),
    invitations: onIndex(customerInvitationsPartition(customerId)),
    events: onIndex(customerEventsPartition(customerId)),
    partition: {
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).pk },
    } satisfies QueryInput,
  };
};

export interface CustomerExport {
  customer: Customer;
  responses: FeedbackResponse[];
  emails: Item[];
  invitations: Invitation[];
  events: CustomerEvent[];
  mailState?: Item;
  inviteState?: Item;
}

/** Everything held about a customer, every page read; undefined when there is no such customer. */
export async function exportCustomer(db: Db, customerId: string): Promise<CustomerExport | undefined> {
  const where = customerItems(customerId);
  const newestFirst = { ScanIndexForward: false };
  const [partition, responses, invitations, events] = await Promise.all([
    queryAll(db, { ...where.partition, ConsistentRead: true }),
    queryAll(db, { ...where.responses, ...newestFirst }),
    queryAll(db, { ...where.invitations, ...newestFirst }),
    queryAll(db, where.events),
  ]);
  const item = (sk: string) => partition.find((i) => i.sk === sk);
  const profile = item(keys.customer(customerId).sk);
  if (!profile) return undefined;
  const { Item: address } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.address(String(profile.email)), ConsistentRead: true }),
  );
  const state = (sk: string) => {
    const found = item(sk);
    return found ? publicFields(found) : undefined;
  };
  return {
    customer: toCustomer(profile, address),
    responses: responses.map((r) => publicFields(r) as FeedbackResponse),
    emails: partition
      .filter((i) => String(i.sk).startsWith(EMAIL_LEDGER_PREFIX))
      .map(publicFields)
      .reverse(),
    invitations: invitations.map(toInvitation),
    events: events.map(toEvent),
    mailState: state(keys.mailState(customerId).sk),
    inviteState: state(keys.inviteState(customerId).sk),
  };
}
