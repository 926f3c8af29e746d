import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { cadencePosition } from '#core/invitations/rules.ts';
import type { CustomerInput } from '#core/schemas.ts';
import { normaliseAddress } from '#core/mail/policy.ts';
import { isConditionFailure, userKeyedMap, type Db, type Item } from './db.ts';
import { birthdayIndex, cadenceIndex, customerAddressIndex, EMAIL_LEDGER_PREFIX, keys, publicFields } from './keys.ts';

export interface Customer extends CustomerInput {
  customerId: string;
  /** The customer's address was unsubscribed (through any customer who has it). */
  unsubscribed: boolean;
  /** Set when SES reported a bounce or complaint about the customer's address. */
  suppressed?: boolean;
  createdAt: string;
  updatedAt: string;
}

const OPTIONAL = ['name', 'locale', 'timezone', 'birthday', 'attributes'] as const;

/** The flags an address's opt-out and suppression copy onto a customer: they belong to that address. */
const ADDRESS_FLAGS = ['unsubscribedAt', 'suppressed', 'suppressedReason', 'suppressedAt'];

/**
 * The one UpdateItem that creates or replaces a customer's profile (alone, or inside an event's transaction); the
 * customer takes their place in the cadence index and under their address (gsi4). Unsubscribe and suppression state
 * are their address's: they survive a replace that keeps the address; with `freshAddress` (the stored profile had
 * another address) they go, and stay with that address.
 */
export function customerUpdate(db: Db, customerId: string, input: CustomerInput, now: string, freshAddress = false) {
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
  const address = customerAddressIndex(input.email, customerId);
  set.push('gsi4pk = :gsi4pk', 'gsi4sk = :gsi4sk');
  values[':gsi4pk'] = address.gsi4pk;
  values[':gsi4sk'] = address.gsi4sk;

  const setAll = [...set, `unsubscribed = ${freshAddress ? ':false' : 'if_not_exists(unsubscribed, :false)'}`];
  const removeAll = freshAddress ? [...remove, ...ADDRESS_FLAGS] : remove;
  return {
    TableName: db.table,
    Key: keys.customer(customerId),
    UpdateExpression: `SET ${setAll.join(', ')}` + (removeAll.length ? ` REMOVE ${removeAll.join(', ')}` : ''),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/**
 * The item customerUpdate makes of a customer who did not exist, for batch writes (imports): the same attributes
 * and indexes. Only for ids read as absent just before: a Put replaces the whole item, opt-outs included.
 */
export function newCustomerItem(customerId: string, input: CustomerInput, now: string): Item {
  const item: Item = {
    ...keys.customer(customerId),
    type: 'customer',
    customerId,
    email: input.email,
    createdAt: now,
    updatedAt: now,
    ...cadenceIndex(customerId, cadencePosition(customerId)),
    ...customerAddressIndex(input.email, customerId),
    unsubscribed: false,
  };
  for (const field of OPTIONAL) {
    if (input[field] !== undefined) item[field] = field === 'attributes' ? userKeyedMap(input.attributes!) : input[field];
  }
  if (input.birthday) Object.assign(item, birthdayIndex(input.birthday, customerId));
  return item;
}

/** Whether the stored profile already is this input (email and every optional field): writing it would change nothing. */
export function sameProfile(stored: Item, input: CustomerInput): boolean {
  if (stored.email !== input.email) return false;
  return OPTIONAL.every((field) => canonical(stored[field]) === canonical(input[field]));
}

/** JSON with object keys sorted, so two attribute maps compare by content. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  ) ?? 'undefined';

/** Creates or replaces a customer's profile (customerUpdate) and answers it as stored, with their address's flags. */
export async function putCustomer(db: Db, customerId: string, input: CustomerInput, now: string): Promise<Customer> {
  const write = (freshAddress: boolean, condition?: string) =>
    db.client.send(
      new UpdateCommand({
        ...customerUpdate(db, customerId, input, now, freshAddress),
        ...(condition ? { ConditionExpression: condition } : {}),
        ReturnValues: 'ALL_NEW',
      }),
    );
  const replace = async () => {
    try {
      return await write(false, 'attribute_not_exists(pk) OR email = :email');
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      // The address is spelt differently: the same one (by `normaliseAddress`) keeps its flags, another does not.
      const { Item: stored } = await db.client.send(
        new GetCommand({ TableName: db.table, Key: keys.customer(customerId), ConsistentRead: true }),
      );
      return write(!stored || normaliseAddress(String(stored.email)) !== normaliseAddress(input.email));
    }
  };
  const [{ Attributes }, address] = await Promise.all([replace(), readAddress(db, input.email)]);
  return toCustomer(Attributes!, address);
}

/** The address item of an email (opt-out and suppression shared by every customer with the address). */
async function readAddress(db: Db, email: string): Promise<Item | undefined> {
  const { Item } = await db.client.send(new GetCommand({ TableName: db.table, Key: keys.address(email), ConsistentRead: true }));
  return Item;
}

export async function getCustomer(db: Db, customerId: string): Promise<Customer | undefined> {
  const { Item } = await db.client.send(
    new GetCommand({ TableName: db.table, Key: keys.customer(customerId), ConsistentRead: true }),
  );
  return Item ? toCustomer(Item, await readAddress(db, String(Item.email))) : undefined;
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

/** A customer as the API shows them: their address's opt-out and suppression are theirs, whoever set them. */
export function toCustomer(item: Record<string, unknown>, address: Record<string, unknown> | undefined): Customer {
  const fields = publicFields(item) as Record<string, unknown>;
  delete fields.lastResponseAt;
  const suppressed = item.suppressed === true || address?.suppressed === true;
  return {
    ...fields,
    unsubscribed: item.unsubscribed === true || address?.unsubscribed === true,
    ...(suppressed ? { suppressed } : {}),
  } as Customer;
}
