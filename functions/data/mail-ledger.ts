import { GetCommand } from '@aws-sdk/lib-dynamodb';
import {
  claimWindows,
  normaliseAddress,
  type AddressFacts,
  type LedgerEntry,
  type MailState,
  type WindowsBefore,
} from '#core/mail/policy.ts';
import type { EmailClaim, EmailOutcome, LedgerRef, MailingFacts, MailStore } from '#core/mail/ports.ts';
import { batchGet, byKey, type Db, type TableKey } from './db.ts';
import { groupCommit, type TransactItem } from './group-commit.ts';
import { customerEmailsIndex, keys } from './keys.ts';
import { asRecipient } from './recipients.ts';

/**
 * The email ledger and the mail state on DynamoDB: the mail pipeline's store. One ledger entry per customer,
 * stream and period (stored with the stream as `campaignId`); the mail state holds the claim windows
 * (`lastOn#<stream>`, a run date, and `lastSentAt`, the instant, for the frequency cap). The address item
 * (`keys.address`) is the unit of contact shared by every customer with that address: it holds the same claim
 * windows, taken in the same transaction as the customer's, and the opt-out and suppression that stop them all.
 */
export const dynamoMailStore = (db: Db): MailStore => ({
  readMailingFacts: (stream, wanted, options) => readMailingFacts(db, stream, wanted, options),
  claim: (claim) => claimEmail(db, claim),
  resumeDeferred: (claim) => resumeDeferredEmail(db, claim),
  recordOutcome: (entry, outcome) => recordEmailOutcome(db, entry, outcome),
  releaseClaim: (claim, previous) => releaseClaim(db, claim, previous),
});

const LAST_ON = 'lastOn#';

function asMailState(item: Record<string, unknown> | undefined): MailState | undefined {
  if (!item) return undefined;
  const lastOn: MailState['lastOn'] = {};
  for (const [name, value] of Object.entries(item)) {
    if (name.startsWith(LAST_ON)) lastOn[name.slice(LAST_ON.length)] = String(value);
  }
  return { lastSentAt: item.lastSentAt as string | undefined, lastOn };
}

function asAddress(item: Record<string, unknown> | undefined): AddressFacts | undefined {
  if (!item) return undefined;
  return { unsubscribed: item.unsubscribed === true, suppressed: item.suppressed === true, state: asMailState(item) };
}

const keyId = (key: TableKey) => `${key.pk}\u0000${key.sk}`;

/** Each key once (BatchGetItem refuses duplicates; customers may share an address). */
function distinct(keyList: readonly TableKey[]): TableKey[] {
  const seen = new Map<string, TableKey>();
  for (const key of keyList) seen.set(keyId(key), key);
  return [...seen.values()];
}

const asLedger = (item: Record<string, unknown> | undefined): LedgerEntry | undefined =>
  item
    ? {
        status: item.status as LedgerEntry['status'],
        runId: String(item.runId),
        ...(typeof item.claimedAt === 'string' ? { claimedAt: item.claimedAt } : {}),
      }
    : undefined;

/**
 * The customer, their claim windows, their address's state and this period's ledger entry, for many customers in one
 * batch. The address is the selected one; a customer whose stored address differs (changed since the selection) has
 * theirs read in a second batch.
 */
export async function readMailingFacts(
  db: Db,
  stream: string,
  wanted: ReadonlyArray<{ customerId: string; email?: string; period: string }>,
  options: { consistent?: boolean } = {},
): Promise<Map<string, MailingFacts>> {
  const keyList = wanted.flatMap(({ customerId, email, period }) => [
    keys.customer(customerId),
    keys.mailState(customerId),
    keys.emailLedger(customerId, stream, period),
    ...(email === undefined ? [] : [keys.address(email)]),
  ]);
  const found = await batchGet(db, distinct(keyList), { consistent: options.consistent });
  const read = new Set(keyList.map(keyId));
  const moved = found.filter((item) => item.sk === '#CUSTOMER' && !read.has(keyId(keys.address(String(item.email)))));
  if (moved.length) found.push(...(await batchGet(db, distinct(moved.map((c) => keys.address(String(c.email)))), options)));
  const lookup = byKey(found);
  const out = new Map<string, MailingFacts>();
  for (const { customerId, email, period } of wanted) {
    const customer = lookup(keys.customer(customerId));
    out.set(customerId, {
      customer: customer && asRecipient(customer),
      state: asMailState(lookup(keys.mailState(customerId))),
      address: asAddress(lookup(keys.address(customer ? String(customer.email) : (email ?? '')))),
      ledger: asLedger(lookup(keys.emailLedger(customerId, stream, period))),
    });
  }
  return out;
}

const NOT_STOPPED =
  '(attribute_not_exists(unsubscribed) OR unsubscribed = :false) AND (attribute_not_exists(suppressed) OR suppressed = :false)';

/** The customer exists, still has this address and is not stopped. */
const customerStillMailable = (db: Db, customerId: string, email: string) => ({
  ConditionCheck: {
    TableName: db.table,
    Key: keys.customer(customerId),
    ConditionExpression: `attribute_exists(pk) AND email = :email AND ${NOT_STOPPED}`,
    ExpressionAttributeValues: { ':false': false, ':email': email },
  },
});

/** Nobody unsubscribed this address, and SES did not report it (a missing address item stops nothing). */
const addressStillMailable = (db: Db, email: string) => ({
  ConditionCheck: {
    TableName: db.table,
    Key: keys.address(email),
    ConditionExpression: NOT_STOPPED,
    ExpressionAttributeValues: { ':false': false },
  },
});

/**
 * Claims one email before it is sent, in one transaction: the customer is still mailable at this address, the
 * address is not stopped, the stream's period window and the frequency cap are free for the customer and for the
 * address (and are taken on both), and this period's ledger entry does not exist yet. Returns false when any
 * condition fails: the caller re-reads to say why.
 */
export async function claimEmail(db: Db, claim: EmailClaim): Promise<boolean> {
  const { periodCutoff, capCutoff } = claimWindows(claim.rules, claim.runDate, claim.now);
  const windowCondition =
    '(attribute_not_exists(#last) OR #last <= :periodCutoff)' +
    (capCutoff ? ' AND (attribute_not_exists(lastSentAt) OR lastSentAt <= :capCutoff)' : '');
  const takeWindows = (Key: TableKey, type: string, stopsHere = false) => ({
    Update: {
      TableName: db.table,
      Key,
      UpdateExpression: 'SET #type = :type, lastSentAt = :now, #last = :date',
      ConditionExpression: stopsHere ? `${windowCondition} AND ${NOT_STOPPED}` : windowCondition,
      ExpressionAttributeNames: { '#type': 'type', '#last': `${LAST_ON}${claim.stream}` },
      ExpressionAttributeValues: {
        ':type': type,
        ':date': claim.runDate,
        ':now': claim.now,
        ':periodCutoff': periodCutoff,
        ...(capCutoff ? { ':capCutoff': capCutoff } : {}),
        ...(stopsHere ? { ':false': false } : {}),
      },
    },
  });
  return commitOrLose(db, [
    customerStillMailable(db, claim.customerId, claim.email),
    // A ledger-only kind (invitations) is outside the cap group: it takes no windows, but a stopped address stops it.
    ...(claim.rules.ledgerOnly
      ? [addressStillMailable(db, claim.email)]
      : [takeWindows(keys.mailState(claim.customerId), 'mailState'), takeWindows(keys.address(claim.email), 'address', true)]),
    {
      Put: {
        TableName: db.table,
        Item: {
          ...keys.emailLedger(claim.customerId, claim.stream, claim.period),
          ...customerEmailsIndex(claim.customerId, claim.now, claim.stream, claim.period),
          type: 'email',
          customerId: claim.customerId,
          campaignId: claim.stream,
          period: claim.period,
          runId: claim.runId,
          status: 'claimed',
          subject: claim.subject,
          language: claim.language,
          claimedAt: claim.now,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      },
    },
  ]);
}

/** A deferred entry (SES refused it for quota) is taken over by exactly one run: a conditional flip to claimed. */
export async function resumeDeferredEmail(db: Db, claim: EmailClaim): Promise<boolean> {
  // The timeline shows the email when it was claimed again, as claimedAt does.
  const onTimeline = customerEmailsIndex(claim.customerId, claim.now, claim.stream, claim.period);
  return commitOrLose(db, [
    customerStillMailable(db, claim.customerId, claim.email),
    addressStillMailable(db, claim.email),
    {
      Update: {
        TableName: db.table,
        Key: keys.emailLedger(claim.customerId, claim.stream, claim.period),
        UpdateExpression:
          'SET #status = :claimed, runId = :runId, subject = :subject, claimedAt = :now, gsi2pk = :gsi2pk, gsi2sk = :gsi2sk REMOVE sentAt',
        ConditionExpression: '#status = :deferred',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':claimed': 'claimed',
          ':deferred': 'deferred',
          ':runId': claim.runId,
          ':subject': claim.subject,
          ':now': claim.now,
          ':gsi2pk': onTimeline.gsi2pk,
          ':gsi2sk': onTimeline.gsi2sk,
        },
      },
    },
  ]);
}

/**
 * Gives a claim back (SES refused the account, so its email never left): the ledger entry goes and the claim windows,
 * the customer's and the address's, return to what they were. Windows another claim moved on since stay: they are
 * theirs.
 */
export async function releaseClaim(db: Db, claim: EmailClaim, previous: WindowsBefore): Promise<void> {
  const ledger = {
    Delete: {
      TableName: db.table,
      Key: keys.emailLedger(claim.customerId, claim.stream, claim.period),
      ConditionExpression: 'runId = :runId AND #status = :claimed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':runId': claim.runId, ':claimed': 'claimed' },
    },
  };
  const restore = (Key: TableKey, before: MailState | undefined) => {
    const set: string[] = [];
    const remove: string[] = [];
    const values: Record<string, unknown> = { ':date': claim.runDate, ':now': claim.now };
    const back = (name: string, value: string | undefined) => {
      if (value === undefined) return remove.push(name);
      values[`:${name.slice(1)}`] = value;
      set.push(`${name} = :${name.slice(1)}`);
    };
    back('#last', before?.lastOn[claim.stream]);
    back('#lastSentAt', before?.lastSentAt);
    return {
      Update: {
        TableName: db.table,
        Key,
        UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
          .join(' ')
          .trim(),
        ConditionExpression: '#last = :date AND #lastSentAt = :now',
        ExpressionAttributeNames: { '#last': `${LAST_ON}${claim.stream}`, '#lastSentAt': 'lastSentAt' },
        ExpressionAttributeValues: values,
      },
    };
  };
  if (claim.rules.ledgerOnly) return void (await commitOrLose(db, [ledger]));
  const windows = [
    restore(keys.mailState(claim.customerId), previous.customer),
    restore(keys.address(claim.email), previous.address),
  ];
  if (await commitOrLose(db, [ledger, ...windows])) return;
  // Someone moved a window on: the entry goes, and each window that is still this claim's goes back.
  if (!(await commitOrLose(db, [ledger]))) return;
  for (const window of windows) await commitOrLose(db, [window]);
}

/**
 * Writes the group through the table's group commit; false when it lost: a condition failed (the caller re-reads and
 * decides). A conflict with a concurrent transaction or throttling is not a loss: it is retried with the toolkit's one
 * backoff, and thrown when it persists (the run then stops the page and hands on; nothing is counted for it).
 */
const commitOrLose = (db: Db, items: TransactItem[]): Promise<boolean> => groupCommit(db)(items);

/** Records the outcome of a claimed send on its ledger entry, if the run still holds it. */
export async function recordEmailOutcome(db: Db, entry: LedgerRef, outcome: EmailOutcome): Promise<void> {
  const values: Record<string, unknown> = { ':status': outcome.status, ':runId': entry.runId };
  let set = '#status = :status';
  if (outcome.status === 'sent') {
    set += ', messageId = :messageId, sentAt = :sentAt';
    Object.assign(values, { ':messageId': outcome.messageId, ':sentAt': outcome.sentAt });
  } else {
    set += ', reason = :reason';
    values[':reason'] = outcome.reason;
  }
  const written = await groupCommit(db)([
    {
      Update: {
        TableName: db.table,
        Key: keys.emailLedger(entry.customerId, entry.stream, entry.period),
        UpdateExpression: `SET ${set}`,
        ConditionExpression: 'runId = :runId',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: values,
      },
    },
  ]);
  // Only an erasure takes an entry from the run that claimed it: stop, as for any failed write.
  if (!written) throw new Error(`The ledger entry ${entry.stream}/${entry.period} is no longer run ${entry.runId}'s`);
}

/**
 * Stops an address: `set` goes on the address item (the truth every customer with the address reads), and on the
 * customer it was learnt through while they still have that address (their own record of it). `address`: the one
 * reported (SES names it); else the customer's. False when there is no such customer.
 */
async function stopAddress(
  db: Db,
  customerId: string,
  address: string | undefined,
  set: string,
  values: Record<string, unknown>,
): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const { Item: customer } = await db.client.send(
      new GetCommand({ TableName: db.table, Key: keys.customer(customerId), ConsistentRead: true }),
    );
    const email = address ?? (customer?.email as string | undefined);
    if (email === undefined) return false;
    const onAddress = {
      Update: {
        TableName: db.table,
        Key: keys.address(email),
        UpdateExpression: `SET #type = :type, ${set}`,
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: { ...values, ':type': 'address' },
      },
    };
    const stillTheirs = customer !== undefined && normaliseAddress(String(customer.email)) === normaliseAddress(email);
    const onCustomer = {
      Update: {
        TableName: db.table,
        Key: keys.customer(customerId),
        UpdateExpression: `SET ${set}`,
        ConditionExpression: 'email = :email',
        ExpressionAttributeValues: { ...values, ':email': customer?.email as string | undefined },
      },
    };
    if (await commitOrLose(db, stillTheirs ? [onAddress, onCustomer] : [onAddress])) return customer !== undefined;
    // The customer's address changed in between: read it again.
  }
  throw new Error(`The address of customer "${customerId}" kept changing while it was being stopped`);
}

/** Opts a customer's address out of every email, for every customer with it; idempotent. False: no such customer. */
export const unsubscribeCustomer = (db: Db, customerId: string, now: string): Promise<boolean> =>
  stopAddress(db, customerId, undefined, 'unsubscribed = :true, unsubscribedAt = if_not_exists(unsubscribedAt, :now)', {
    ':true': true,
    ':now': now,
  });

/**
 * Suppresses an address after SES reported a permanent bounce or a complaint about an email to it, for every customer
 * with it; idempotent. `address`: the one SES reported (else the customer's). False: no such customer.
 */
export const suppressCustomer = (
  db: Db,
  customerId: string,
  reason: 'bounce' | 'complaint',
  now: string,
  address?: string,
): Promise<boolean> =>
  stopAddress(
    db,
    customerId,
    address,
    'suppressed = :true, suppressedReason = if_not_exists(suppressedReason, :reason), suppressedAt = if_not_exists(suppressedAt, :now)',
    { ':true': true, ':reason': reason, ':now': now },
  );
