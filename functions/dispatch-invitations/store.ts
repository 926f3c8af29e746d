import type { Db } from '#data/db.ts';
import { dueInvitations, getInvitations, moveInvitation } from '#data/invitations.ts';
import { getRecipients } from '#data/recipients.ts';
import { getSurveyCached } from '#data/surveys.ts';
import type { InvitationStore } from './ports.ts';

/** The dispatcher's invitation store on DynamoDB. */
export const dynamoInvitationStore = (db: Db): InvitationStore => ({
  due: (shard, at, limit) => dueInvitations(db, shard, at, limit),
  get: (ids) => getInvitations(db, ids),
  move: (invitation, from, changes, dueAt) => moveInvitation(db, invitation, from, changes, dueAt),
  survey: (surveyId) => getSurveyCached(db, surveyId),
  recipients: (customerIds) => getRecipients(db, customerIds),
});
