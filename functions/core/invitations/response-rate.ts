import { SURVEY_ID } from '../schemas.ts';
import { ALL_DIMENSION, ALL_SEGMENT, bucketId, dayOf, INVITATION_COUNTERS, type Contribution } from '../scores.ts';

/**
 * Invitations in the scores: the stream scorer counts each invitation on the `all` aggregate of the day it was SENT,
 * as sent once it has a `sentAt` and as answered while its status is `answered`. Like responses, it works from the
 * old and new image of each change, so however the statuses move (and whatever is retried or replayed) the counters
 * equal a recount of the invitations.
 */

/** What the scorer reads of a stored invitation that was sent; one never sent does not count. */
export interface CountedInvitation {
  surveyId: string;
  /** The UTC day of `sentAt`: the period the invitation counts in. */
  day: string;
  answered: boolean;
}

export class InvalidInvitationImage extends Error {}

/** A stored invitation item (unmarshalled) as counted; undefined when it was not sent. Throws when it cannot be counted. */
export function readInvitationImage(item: Record<string, unknown>): CountedInvitation | undefined {
  const { surveyId, sentAt, status } = item;
  if (sentAt === undefined || sentAt === null) return undefined;
  if (typeof surveyId !== 'string' || !SURVEY_ID.test(surveyId))
    throw new InvalidInvitationImage('surveyId is missing or invalid');
  const at = typeof sentAt === 'string' ? Date.parse(sentAt) : Number.NaN;
  if (Number.isNaN(at)) throw new InvalidInvitationImage('sentAt is invalid');
  return { surveyId, day: dayOf(at), answered: status === 'answered' };
}

/** What one change of an invitation does to the aggregates: the old image out, the new one in, netted. */
export function invitationContributions(
  before: CountedInvitation | undefined,
  after: CountedInvitation | undefined,
): Map<string, Contribution> {
  const out = new Map<string, Contribution>();
  const apply = (invitation: CountedInvitation | undefined, sign: number) => {
    if (!invitation) return;
    const key = { surveyId: invitation.surveyId, day: invitation.day, dimension: ALL_DIMENSION, segment: ALL_SEGMENT };
    const id = bucketId(key);
    const counts = out.get(id)?.counts ?? {};
    counts[INVITATION_COUNTERS.sent] = (counts[INVITATION_COUNTERS.sent] ?? 0) + sign;
    if (invitation.answered) counts[INVITATION_COUNTERS.answered] = (counts[INVITATION_COUNTERS.answered] ?? 0) + sign;
    out.set(id, { key, counts });
  };
  apply(before, -1);
  apply(after, +1);
  for (const [id, entry] of out) {
    for (const [name, value] of Object.entries(entry.counts)) if (value === 0) delete entry.counts[name];
    if (Object.keys(entry.counts).length === 0) out.delete(id);
  }
  return out;
}
