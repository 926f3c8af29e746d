import type { AddressFacts, ContactRules, LedgerEntry, MailState, WindowsBefore } from './policy.ts';

/**
 * The ports of the mail pipeline: what it reads and writes (`MailStore`) and how it sends (`Mailer`). Types only,
 * plus the mailer's two errors: functions/data implements them, tests pass fakes.
 */

/** What the mail path reads of a customer. */
export interface Recipient {
  customerId: string;
  email: string;
  name?: string;
  locale?: string;
  timezone?: string;
  birthday?: string;
  unsubscribed: boolean;
  suppressed?: boolean;
  lastResponseAt?: string;
}

/** The customer, their claim windows, their address's state and this period's ledger entry. */
export interface MailingFacts {
  customer?: Recipient;
  state?: MailState;
  /** Of the customer's stored address (the selection's, if the customer is gone). */
  address?: AddressFacts;
  ledger?: LedgerEntry;
}

/** One email's place in the ledger. */
export interface LedgerRef {
  customerId: string;
  /** `ContactRules.stream` (stored as `campaignId`). */
  stream: string;
  period: string;
  runId: string;
}

/** A claim taken before an email is sent: the store repeats the contact policy's checks atomically. */
export interface EmailClaim extends LedgerRef {
  /** The address the email goes to: the claim takes its windows too, and holds only while the customer has it. */
  email: string;
  rules: ContactRules;
  /** The date the claim windows are measured from and set to. */
  runDate: string;
  subject: string;
  language: string;
  now: string;
}

export type EmailOutcome =
  { status: 'sent'; messageId: string; sentAt: string } | { status: 'deferred' | 'failed'; reason: string };

/** The pipeline's data. */
export interface MailStore {
  /** Facts for many customers at once (`email`: their address as selected); `consistent` after a lost claim. */
  readMailingFacts(
    stream: string,
    /** `email`: the address the caller knows the customer by, if any; the stored one is read either way. */
    wanted: ReadonlyArray<{ customerId: string; email?: string; period: string }>,
    options?: { consistent?: boolean },
  ): Promise<Map<string, MailingFacts>>;
  /** Takes the claim in one step, or returns false when a condition failed (the caller re-reads to say why). */
  claim(claim: EmailClaim): Promise<boolean>;
  /** Takes over a deferred entry: exactly one run wins it. */
  resumeDeferred(claim: EmailClaim): Promise<boolean>;
  /** Records how a claimed send ended, if `runId` still holds the entry. */
  recordOutcome(entry: LedgerRef, outcome: EmailOutcome): Promise<void>;
  /**
   * Gives back a claim whose email never left because SES refused the account: the ledger entry goes, and the claim
   * windows (the customer's and the address's) return to `previous`, so no period or frequency cap is used up.
   */
  releaseClaim(claim: EmailClaim, previous: WindowsBefore): Promise<void>;
}

// ---- mailer ------------------------------------------------------------------------------------------------

/** One email as the pipeline hands it to the mailer. */
export interface OutgoingEmail {
  to: string;
  subject: string;
  html: string;
  text: string;
  /** Extra message headers (List-Unsubscribe, List-Unsubscribe-Post). */
  headers: Record<string, string>;
  /** SES message tags: they come back on bounce and complaint events. Values: letters, digits, `_`, `-`. */
  tags: Record<string, string>;
}

/**
 * The mailer port: sends one email or throws `SendDeferred` (not sent, try later) or `SendFailed` (do not retry).
 * `deadlineMs` (epoch ms): the mailer does not wait past it (throttling backoff, a rate slot); it defers instead.
 */
export type Mailer = (email: OutgoingEmail, options?: { deadlineMs?: number }) => Promise<{ messageId: string }>;

/**
 * The account's send rate, shared by every mailer: resolves at the instant this caller may send (its slot), or with
 * `false`, without waiting, when that slot falls after `deadlineMs`.
 */
export type SendRate = (options?: { deadlineMs?: number }) => Promise<boolean>;

/** SES did not take the email and says so: safe to send it later (daily quota, throttled too long, sending paused). */
export class SendDeferred extends Error {
  constructor(
    /** `outOfTime`: the send's rate slot came after the caller's deadline; the caller goes on in a fresh invocation. */
    readonly reason: 'quota' | 'throttled' | 'paused' | 'outOfTime',
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(`SES deferred the send: ${reason}`, options);
    this.name = 'SendDeferred';
  }
}

/**
 * SES refused the send for a reason of the account or the deployment, not the recipient (access denied, the sender
 * not verified, the configuration set missing, sending paused): no email can go out until a person fixes it.
 */
export class SendBlocked extends Error {
  constructor(
    readonly code: string,
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`SES refused to send for the account (${code}): ${detail}`, options);
    this.name = 'SendBlocked';
  }
}

/** The send failed for good, or its outcome is unknown: never retried, so nobody gets an email twice. */
export class SendFailed extends Error {
  constructor(
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(`SES did not send the email: ${code}`, options);
    this.name = 'SendFailed';
  }
}

// ---- team notices ------------------------------------------------------------------------------------------

/** What the team hears when a detractor was followed up: enough to pick up the conversation. */
export interface DetractorNotice {
  customerId: string;
  name?: string;
  email: string;
  score: number;
  comment?: string;
  campaignId: string;
  runDate: string;
}

/** The team-notification port. */
export type NotifyTeam = (notice: DetractorNotice) => Promise<void>;
