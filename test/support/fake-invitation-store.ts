import type { Invitation, InvitationStatus } from '../../functions/data/invitations.ts';
import type { DispatchSurvey, InvitationStore } from '../../functions/dispatch-invitations/ports.ts';

/**
 * The dispatcher's invitation store in memory, with the DynamoDB adapter's conditions: a move happens only from the
 * status the invitation still has, and an invitation is due (in one shard, 0) only while it has a due instant. The
 * customers are the mail store's (`recipients`).
 */
export function fakeInvitationStore(recipients: InvitationStore['recipients']) {
  const invitations = new Map<string, Invitation>();
  const dueAt = new Map<string, string>();
  const surveys = new Map<string, DispatchSurvey>();
  let moves = 0;

  const store: InvitationStore = {
    async due(shard, at, limit) {
      if (shard !== 0) return [];
      return [...dueAt.entries()]
        .filter(([, due]) => due <= at)
        .sort(([a, x], [b, y]) => x.localeCompare(y) || a.localeCompare(b))
        .slice(0, limit)
        .map(([id]) => structuredClone(invitations.get(id)!));
    },
    async get(ids) {
      return ids.filter((id) => invitations.has(id)).map((id) => structuredClone(invitations.get(id)!));
    },
    async move(invitation, from, changes, due) {
      const stored = invitations.get(invitation.invitationId);
      if (stored?.status !== from) return false;
      moves++;
      for (const [name, value] of Object.entries(changes)) if (value !== undefined) Object.assign(stored, { [name]: value });
      if (due) dueAt.set(stored.invitationId, due);
      else dueAt.delete(stored.invitationId);
      return true;
    },
    async survey(surveyId) {
      return surveys.get(surveyId);
    },
    recipients,
  };

  const givenInvitation = (inv: Partial<Invitation> & Pick<Invitation, 'invitationId' | 'customerId' | 'sendAt'>) => {
    const invitation: Invitation = {
      surveyId: 's-1',
      trigger: 'manual',
      status: 'scheduled',
      createdAt: inv.sendAt,
      ...inv,
    };
    invitations.set(invitation.invitationId, invitation);
    dueAt.set(invitation.invitationId, invitation.sendAt);
    return invitation;
  };
  /** What a response through the link does (another helper's code): answered, out of the due index. */
  const answer = (invitationId: string, at: string) => {
    const inv = invitations.get(invitationId)!;
    Object.assign(inv, { status: 'answered' satisfies InvitationStatus, answeredAt: at });
    dueAt.delete(invitationId);
  };

  return { store, invitations, dueAt, surveys, givenInvitation, answer, moves: () => moves };
}
