import type { Brand } from '#core/brand.ts';
import type { SendWindow } from '#core/invitations/rules.ts';
import type { InviteSettings } from '#core/invitations/settings.ts';
import type { Mailer, MailStore, Recipient } from '#core/mail/ports.ts';
import type { Keyring } from '#core/tokens.ts';
import type { Invitation, InvitationStatus } from '#data/invitations.ts';

/** What the dispatcher needs of a survey: its questions (the email asks the first scale one) and its invite settings. */
export interface DispatchSurvey {
  surveyId: string;
  questions: readonly string[];
  invite?: Pick<InviteSettings, 'remindAfterDays' | 'expiresInDays'>;
}

/** The invitations' data, as the dispatcher uses it. */
export interface InvitationStore {
  /** One due-index shard's invitations with an action due at or before `at`, oldest first. */
  due(shard: number, at: string, limit: number): Promise<Invitation[]>;
  /** The invitations as they are now (consistent). */
  get(invitationIds: readonly string[]): Promise<Invitation[]>;
  /** Moves one on from `from` if it is still there (see `moveInvitation`); false when it had moved already. */
  move(
    invitation: Invitation,
    from: InvitationStatus,
    changes: Partial<Pick<Invitation, 'status' | 'sentAt' | 'remindedAt' | 'expiresAt' | 'reason' | 'sendAt'>>,
    dueAt: string | null,
  ): Promise<boolean>;
  survey(surveyId: string): Promise<DispatchSurvey | undefined>;
  /** The customers they go to, as the mail path reads them (those that exist). */
  recipients(customerIds: readonly string[]): Promise<Map<string, Recipient>>;
}

export interface DispatchSettings {
  /** Config `timeZone`: the send window's zone for customers without their own `timezone`. */
  timeZone: string;
  sendWindow: SendWindow;
  brand: Brand;
  /** Emails per second the mailer keeps under: the batch's concurrency follows it. */
  maxSendRate: number;
}

/** Everything a dispatch touches, passed in: tests give fakes, the handler the real adapters. */
export interface DispatchPorts {
  invitations: InvitationStore;
  mail: MailStore;
  send: Mailer;
  keyring: () => Promise<Keyring>;
  now: () => number;
  settings: DispatchSettings;
  /** Links in the emails start here (config `publicBaseUrl`, else the API's own origin). */
  linkBaseUrl: string;
}

/** What one dispatch did: the contract's answer. */
export interface DispatchCounts {
  sent: number;
  reminded: number;
  expired: number;
  /** Waiting: for the send window to open, or for SES (throttled, quota) to take it on a later tick. */
  deferred: number;
  skipped: number;
  failed: number;
}

export interface DispatchResult extends DispatchCounts {
  /** Due items were left when the deadline came: the next invocation (or tick) goes on. */
  more: boolean;
  /** SES deferred (`throttled`, `quota`, `paused`) or refused the account (`blocked`): the tick stopped there. */
  stopped?: string;
}
