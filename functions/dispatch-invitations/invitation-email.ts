import { customerTag } from '#core/email-events.ts';
import { resolveEmailLocale } from '#core/emails.ts';
import { firstScaleQuestion, renderInvitation, type InvitationEmail } from '#core/invitations/email.ts';
import type { ContactRules } from '#core/mail/policy.ts';
import { signToken, type Keyring } from '#core/tokens.ts';
import type { Invitation } from '#data/invitations.ts';
import { newNonce } from '#core/ids.ts';
import type { EmailKind, MailCandidate } from '../mail/pipeline.ts';
import type { DispatchPorts, DispatchSurvey } from './ports.ts';

const UNSUBSCRIBE_LINK_DAYS = 730;

/**
 * Invitations and reminders share one ledger stream; the period is the invitation (`<id>`, or `<id>#reminder`),
 * so each is sent at most once whoever dispatches. Ledger-only: no period window, and outside the appreciation
 * emails' frequency cap (the contact rules of asking are the invitation's own: throttle, one open per survey).
 */
export const INVITATION_RULES: ContactRules = { stream: 'invitation', periodDays: 0, capDays: 0, ledgerOnly: true };

export interface InvitationCandidate extends MailCandidate {
  invitation: Invitation;
  survey: DispatchSurvey;
  email: InvitationEmail;
  /** When the link expires (the token's `exp`). */
  expiresAt: string;
}

export const periodOf = (invitationId: string, email: InvitationEmail) =>
  email === 'reminder' ? `${invitationId}#reminder` : invitationId;

/**
 * The survey link of an invitation: a survey token naming the invitation, expiring with it. Its nonce is the
 * invitation's id, so the reminder carries the very same link (one link, one response).
 */
export function invitationLink(ring: Keyring, base: string, invitation: Invitation, expiresAt: string): string {
  const token = signToken(ring, {
    purpose: 'survey',
    customerId: invitation.customerId,
    surveyId: invitation.surveyId,
    invitationId: invitation.invitationId,
    exp: Math.floor(Date.parse(expiresAt) / 1000),
    nonce: invitation.invitationId,
  });
  return `${base}/s/${encodeURIComponent(invitation.surveyId)}?t=${encodeURIComponent(token)}`;
}

/** Invitations as an email kind of the mail pipeline; `afterSent` moves the invitation on. */
export function invitationEmailKind(
  ports: DispatchPorts,
  ring: Keyring,
  afterSent: (candidate: InvitationCandidate) => Promise<void>,
): EmailKind<InvitationCandidate> {
  return {
    name: 'Invitation',
    rules: INVITATION_RULES,
    dimensions: { kind: 'invitation' },
    compose: ({ customer, invitation, survey, email, expiresAt }) => {
      const unsubscribe = signToken(ring, {
        purpose: 'unsubscribe',
        customerId: customer.customerId,
        exp: Math.floor(ports.now() / 1000) + UNSUBSCRIBE_LINK_DAYS * 86_400,
        nonce: newNonce(),
      });
      const unsubscribeUrl = `${ports.linkBaseUrl}/v1/unsubscribe?token=${encodeURIComponent(unsubscribe)}`;
      const rendered = renderInvitation(email, firstScaleQuestion(survey.questions), resolveEmailLocale(customer.locale), {
        name: customer.name,
        brand: ports.settings.brand,
        surveyUrl: invitationLink(ring, ports.linkBaseUrl, invitation, expiresAt),
        unsubscribeUrl,
      });
      return {
        ...rendered,
        // The URL is ours (base, base64url token): nothing in it can break the header line.
        headers: { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
        tags: { kind: email, customer: customerTag.encode(customer.customerId) },
      };
    },
    afterSent,
  };
}
