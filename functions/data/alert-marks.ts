import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { isConditionFailure, type Db } from './db.ts';
import { keys } from './keys.ts';

/**
 * Alert marks: an alert to the team is claimed before it is sent and marked sent after, so it goes out once however
 * often the stream or a schedule brings it back. The claimant (a stream record's eventID, a run's id) that holds a
 * claimed mark is the one that sends; the same claimant coming back (a retry after a crash between the claim and
 * the send) sends it then, so a crash never loses the alert. The one gap no store can close: a crash after the
 * mail service took the email and before the mark says so sends it once more on the retry (at least once there,
 * because a lost alert costs more than a repeated one).
 */

export type AlertKind = 'detractor' | 'score_drop';

export interface AlertRef {
  alert: AlertKind;
  /** The response id; `<surveyId>:<metric>:<period>` for a score drop. */
  subject: string;
}

/** `claimed`: the caller sends now (a new claim, its own claim again, or a stale one taken over). */
export type AlertClaim = 'claimed' | 'sent' | 'held';

export async function claimAlert(
  db: Db,
  ref: AlertRef,
  claimant: string,
  now: string,
  options: { staleBefore?: string } = {},
): Promise<AlertClaim> {
  const key = keys.alertMark(ref.alert, ref.subject);
  try {
    await db.client.send(
      new PutCommand({
        TableName: db.table,
        Item: {
          ...key,
          type: 'alertMark',
          alert: ref.alert,
          subject: ref.subject,
          status: 'claimed',
          claimedBy: claimant,
          claimedAt: now,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
    return 'claimed';
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
  const { Item } = await db.client.send(new GetCommand({ TableName: db.table, Key: key, ConsistentRead: true }));
  if (!Item) return claimAlert(db, ref, claimant, now, options); // removed in between: claim it afresh
  if (Item.status === 'sent') return 'sent';
  if (Item.claimedBy === claimant) return 'claimed';
  if (!options.staleBefore || String(Item.claimedAt) >= options.staleBefore) return 'held';
  try {
    // A claim whose holder never finished (a run that crashed): exactly one caller takes it over.
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: key,
        UpdateExpression: 'SET claimedBy = :me, claimedAt = :now',
        ConditionExpression: '#status = :claimed AND claimedBy = :holder',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':me': claimant, ':now': now, ':claimed': 'claimed', ':holder': Item.claimedBy as string },
      }),
    );
    return 'claimed';
  } catch (error) {
    if (isConditionFailure(error)) return 'held';
    throw error;
  }
}

/** Marks a claimed alert sent, if the claimant still holds it. */
export async function markAlertSent(db: Db, ref: AlertRef, claimant: string, now: string): Promise<void> {
  try {
    await db.client.send(
      new UpdateCommand({
        TableName: db.table,
        Key: keys.alertMark(ref.alert, ref.subject),
        UpdateExpression: 'SET #status = :sent, sentAt = :now',
        ConditionExpression: 'claimedBy = :me',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':sent': 'sent', ':now': now, ':me': claimant },
      }),
    );
  } catch (error) {
    if (!isConditionFailure(error)) throw error;
  }
}
