import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cadencePosition } from '#core/invitations/rules.ts';
import type { CustomerInput } from '#core/schemas.ts';
import { userKeyedMap, type Db } from './db.ts';
import { birthdayIndex, cadenceIndex, EMAIL_LEDGER_PREFIX, keys, publicFields } from './keys.ts';

export interface Customer extends CustomerInput {
  customerId: string;
  unsubscribed: boolean;
  /** Set when SES reports a bounce or complaint. */
  suppressed?: boolean;
  createdAt: string;
  updatedAt: string;
}

const OPTIONAL = ['name', 'locale', 'timezone', 'birthday', 'attributes'] as const;

/**
 * The one UpdateItem that creates or replaces a customer's profile (alone, or inside an event's transaction):
 * unsubscribe and suppression state survive a replace; the customer takes their place in the cadence index.
 */
export function customerUpdate(db: Db, customerId: string, input: CustomerInput, now: string) {
  const values: Record<string, unknown> = {
    ':type': 'customer',
    ':id': customerId,
    ':email': input.email,
    ':now': now,
    ':false': false,
  };
  const names: Record<string, string> = { '#type': 'type' };
  const set = [
    '#type = :type',
    'customerId = :id',
    'email = :email',
    'unsubscribed = if_not_exists(unsubscribed, :false)',
    'createdAt = if_not_exists(createdAt, :now)',
    'updatedAt = :now',
  ];
  const remove: string[] = [];
  for (const field of OPTIONAL) {
    names[`#${field}`] = field;
    if (input[field] === undefined) remove.push(`#${field}`);
    else {
      set.push(`#${field} = :${field}`);
      values[`:${field}`] = field === 'attributes' ? userKeyedMap(input.attributes!) : input[field];
    }
  }
  if (input.birthday) {
    const index = birthdayIndex(input.birthday, customerId);
    set.push('gsi1pk = :gsi1pk', 'gsi1sk = :gsi1sk');
    values[':gsi1pk'] = index.gsi1pk;
    values[':gsi1sk'] = index.gsi1sk;
  } else remove.push('gsi1pk', 'gsi1sk');
  const cadence = cadenceIndex(customerId, cadencePosition(customerId));
  set.push('gsi3pk = :gsi3pk', 'gsi3sk = :gsi3sk');
  values[':gsi3pk'] = cadence.gsi3pk;
  values[':gsi3sk'] = cadence.gsi3sk;

  return {
    TableName: db.table,
    Key: keys.customer(customerId),
    UpdateExpression: `SET ${set.join(', ')}` + (remove.length ? ` REMOVE ${remove.join(', ')}` : ''),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** Creates or replaces a customer's profile (customerUpdate) and answers it as stored. */
export async function putCustomer(db: Db, customerId: string, input: CustomerInput, now: string): Promise<Customer> {
  const { Attributes } = await db.client.send(
    new UpdateCommand({ ...customerUpdate(db, customerId, input, now), ReturnValues: 'ALL_NEW' }),
  );
  return toCustomer(Attributes!);
}

export async function getCustomer(db: Db, customerId: string): Promise<Customer | undefined> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.customer(customerId), ConsistentRead: true }),
  );
  return Item ? toCustomer(Item) : undefined;
}

/** Items of a customer's partition whose sort key starts with the prefix (e.g. the email ledger), newest first. */
export async function queryCustomerPartition(db: Db, customerId: string, prefix: string, limit = 100) {
  const { Items = [] } = await db.client.send(
    new QueryCommand({
      TableName: db.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.customer(customerId).pk, ':prefix': prefix },
      ScanIndexForward: false,
      Limit: limit,
    }),
  );
  return Items;
}

/** A customer's email ledger entries (claimed, sent, deferred, failed), at most `limit`. */
export const customerEmails = (db: Db, customerId: string, limit = 100) =>
  queryCustomerPartition(db, customerId, EMAIL_LEDGER_PREFIX, limit);

export function toCustomer(item: Record<string, unknown>): Customer {
  const fields = publicFields(item) as Record<string, unknown>;
  delete fields.lastResponseAt;
  return { ...fields, unsubscribed: item.unsubscribed === true } as Customer;
}
