import { TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { claimWindows, type LedgerEntry, type MailState } from '#core/mail/policy.ts';
import type { EmailClaim, EmailOutcome, LedgerRef, MailingFacts, MailStore } from '#core/mail/ports.ts';
import {
  batchGet,
  byKey,
  cancellationCodes,
  isConditionFailure,
  isTransactionCanceled,
  isTransientCancellation,
  retryTransient,
  type Db,
} from './db.ts';
import { keys } from './keys.ts';
import { asRecipient } from './recipients.ts';

/**
 * The email ledger and the mail state on DynamoDB: the mail pipeline's store. One ledger entry per customer,
 * stream and period (stored with the stream as `campaignId`); the mail state holds the claim windows
 * (`lastOn#<stream>`, a run date, and `lastSentAt`, the instant, for the frequency cap).
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

const asLedger = (item: Record<string, unknown> | undefined): LedgerEntry | undefined =>
  item ? { status: item.status as LedgerEntry['status'], runId: String(item.runId) } : undefined;

/** The customer, their claim windows and this period's ledger entry, for many customers in one batch. */
export async function readMailingFacts(
  db: Db,
  stream: string,
  wanted: ReadonlyArray<{ customerId: string; period: string }>,
  options: { consistent?: boolean } = {},
): Promise<Map<string, MailingFacts>> {
  const keyList = wanted.flatMap(({ customerId, period }) => [
    keys.customer(customerId),
    keys.mailState(customerId),
    keys.emailLedger(customerId, stream, period),
  ]);
  const lookup = byKey(await batchGet(db, keyList, { consistent: options.consistent }));
  const out = new Map<string, MailingFacts>();
  for (const { customerId, period } of wanted) {
    const customer = lookup(keys.customer(customerId));
    out.set(customerId, {
      customer: customer && asRecipient(customer),
      state: asMailState(lookup(keys.mailState(customerId))),
      ledger: asLedger(lookup(keys.emailLedger(customerId, stream, period))),
    });
  }
  return out;
}

const customerStillMailable = (db: Db, customerId: string) => ({
  ConditionCheck: {
    TableName: db.table,
    Key: keys.customer(customerId),
    ConditionExpression:
      'attribute_exists(pk) AND (attribute_not_exists(unsubscribed) OR unsubscribed = :false) AND ' +
      '(attribute_not_exists(suppressed) OR suppressed = :false)',
    ExpressionAttributeValues: { ':false': false },
  },
});

/**
 * Claims one email before it is sent, in one transaction: the customer is still mailable, the stream's period
 * window and the frequency cap are free (and are taken), and this period's ledger entry does not exist yet.
 * Returns false when any condition fails: the caller re-reads to say why.
 */
export async function claimEmail(db: Db, claim: EmailClaim): Promise<boolean> {
  const { periodCutoff, capCutoff } = claimWindows(claim.rules, claim.runDate, claim.now);
  const windowCondition =
    '(attribute_not_exists(#last) OR #last <= :periodCutoff)' +
    (capCutoff ? ' AND (attribute_not_exists(lastSentAt) OR lastSentAt <= :capCutoff)' : '');
  // A ledger-only kind (invitations) leaves the claim windows alone: it is outside the cap group.
  const windows = {
    Update: {
      TableName: db.table,
      Key: keys.mailState(claim.customerId),
      UpdateExpression: 'SET #type = :type, lastSentAt = :now, #last = :date',
      ConditionExpression: windowCondition,
      ExpressionAttributeNames: { '#type': 'type', '#last': `${LAST_ON}${claim.stream}` },
      ExpressionAttributeValues: {
        ':type': 'mailState',
        ':date': claim.runDate,
        ':now': claim.now,
        ':periodCutoff': periodCutoff,
        ...(capCutoff ? { ':capCutoff': capCutoff } : {}),
      },
    },
  };
  return transactOrLose(db, [
    customerStillMailable(db, claim.customerId),
    ...(claim.rules.ledgerOnly ? [] : [windows]),
    {
      Put: {
        TableName: db.table,
        Item: {
          ...keys.emailLedger(claim.customerId, claim.stream, claim.period),
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
  return transactOrLose(db, [
    customerStillMailable(db, claim.customerId),
    {
      Update: {
        TableName: db.table,
        Key: keys.emailLedger(claim.customerId, claim.stream, claim.period),
        UpdateExpression: 'SET #status = :claimed, runId = :runId, subject = :subject, claimedAt = :now REMOVE sentAt',
        ConditionExpression: '#status = :deferred',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':claimed': 'claimed',
          ':deferred': 'deferred',
          ':runId': claim.runId,
          ':subject': claim.subject,
          ':now': claim.now,
        },
      },
    },
  ]);
}

/**
 * Gives a claim back (SES refused the account, so its email never left): the ledger entry goes and the claim windows
 * return to what they were. If another claim moved the windows on since, only the entry goes: the windows are theirs.
 */
export async function releaseClaim(db: Db, claim: EmailClaim, previous: MailState | undefined): Promise<void> {
  const ledger = {
    Delete: {
      TableName: db.table,
      Key: keys.emailLedger(claim.customerId, claim.stream, claim.period),
      ConditionExpression: 'runId = :runId AND #status = :claimed',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':runId': claim.runId, ':claimed': 'claimed' },
    },
  };
  const set: string[] = [];
  const remove: string[] = [];
  const values: Record<string, unknown> = { ':date': claim.runDate, ':now': claim.now };
  const restore = (name: string, value: string | undefined) => {
    if (value === undefined) return remove.push(name);
    values[`:${name.slice(1)}`] = value;
    set.push(`${name} = :${name.slice(1)}`);
  };
  restore('#last', previous?.lastOn[claim.stream]);
  restore('#lastSentAt', previous?.lastSentAt);
  const windows = {
    Update: {
      TableName: db.table,
      Key: keys.mailState(claim.customerId),
      UpdateExpression: [set.length ? `SET ${set.join(', ')}` : '', remove.length ? `REMOVE ${remove.join(', ')}` : '']
        .join(' ')
        .trim(),
      ConditionExpression: '#last = :date AND #lastSentAt = :now',
      ExpressionAttributeNames: { '#last': `${LAST_ON}${claim.stream}`, '#lastSentAt': 'lastSentAt' },
      ExpressionAttributeValues: values,
    },
  };
  if (claim.rules.ledgerOnly || !(await transactOrLose(db, [ledger, windows]))) await transactOrLose(db, [ledger]);
}

/** A transaction that lost: one of its conditions failed (whatever else was cancelled with it). */
function lost(error: unknown): boolean {
  if (!isTransactionCanceled(error)) return false;
  const codes = cancellationCodes(error);
  return codes.length ? codes.includes('ConditionalCheckFailed') : isConditionFailure(error);
}

/**
 * Runs the transaction; false when it lost: a condition failed (the caller re-reads and decides). A conflict with a
 * concurrent transaction or throttling is not a loss: it is retried with the toolkit's one backoff, and thrown when
 * it persists (the run then stops the page and hands on; nothing is counted for it).
 */
async function transactOrLose(db: Db, TransactItems: NonNullable<TransactWriteCommandInput['TransactItems']>): Promise<boolean> {
  try {
    await retryTransient(() => db.client.send(new TransactWriteCommand({ TransactItems })), {
      isTransient: (error) => !lost(error) && isTransientCancellation(error),
    });
    return true;
  } catch (error) {
    if (lost(error)) return false;
    throw error;
  }
}

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
  await db.client.send(
    new UpdateCommand({
      TableName: db.table,
      Key: keys.emailLedger(entry.customerId, entry.stream, entry.period),
      UpdateExpression: `SET ${set}`,
      ConditionExpression: 'runId = :runId',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: values,
    }),
  );
}
