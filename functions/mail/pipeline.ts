import {
  decide,
  emptyCounts,
  normaliseAddress,
  type ContactRules,
  type Decision,
  type MailCounts,
  type WindowsBefore,
} from '#core/mail/policy.ts';
import {
  SendBlocked,
  SendDeferred,
  SendFailed,
  type EmailClaim,
  type Mailer,
  type MailingFacts,
  type MailStore,
  type OutgoingEmail,
  type Recipient,
} from '#core/mail/ports.ts';
import { logger } from '#runtime/logger.ts';
import { emitMetric } from '#runtime/metrics.ts';

/**
 * The mail pipeline every email kind shares, for a batch of selected candidates:
 * contact policy → ledger claim → render → send → record (→ the kind's after-send step).
 * A kind brings its selection (the candidates), its contact rules (ledger stream, period, cap), its template
 * (`compose`) and its names; the pipeline owns the claim, the send and the record. At most once per customer,
 * stream and period, and once per email address (customers may share one), however often and however concurrently
 * it runs: the claim is taken before the send.
 */

/** One email a kind wants to send: to whom, and for which ledger period. */
export interface MailCandidate {
  customer: Recipient;
  period: string;
}

/** An email ready for the mailer but for its recipient, and the language it was written in (kept on the ledger entry). */
export type ComposedEmail = Omit<OutgoingEmail, 'to'> & { language: string };

export interface EmailKind<C extends MailCandidate> {
  /** Starts its past-tense metric and log names: `AppreciationDeferred`, `AppreciationFailed`. */
  name: string;
  rules: ContactRules;
  /** Metric dimensions of this kind's emails (`{ campaignId }`). */
  dimensions: Record<string, string>;
  compose(candidate: C): ComposedEmail;
  /** After the email went out (the team's notice); it handles its own failures: the email is sent either way. */
  afterSent?(candidate: C): Promise<void>;
}

/** Who owns the claims of a batch (a campaign run), and the date the claim windows are measured from. */
export interface MailRun {
  runId: string;
  date: string;
}

export interface MailPorts {
  store: MailStore;
  send: Mailer;
  now: () => number;
}

export interface WouldSend {
  customerId: string;
  email: string;
  subject: string;
}

export interface BatchResult {
  /** `selected` counts the candidates still there at the claim. */
  counts: MailCounts;
  /** Dry runs: whom the batch would mail. */
  wouldSend: WouldSend[];
  /** SES refused a send for now: the batch stopped; what was claimed and not sent is `deferred` on the ledger. */
  deferred?: SendDeferred;
  /** SES refused the account: the batch stopped, and every claim whose email did not leave was given back. */
  blocked?: SendBlocked;
  /** The deadline came before every candidate was handled: the rest were not started (nor counted). */
  unfinished?: true;
}

/** A claim that lost this many times in a row is left to the run that keeps winning it. */
const CLAIM_ATTEMPTS = 3;

/**
 * Mails a batch (or, dry, says whom it would mail), `concurrency` sends at a time. A deferral stops the batch after
 * the sends under way; an unexpected error (DynamoDB, the network) stops every worker before it is thrown, so
 * nothing goes on sending once the caller reacts to it. From `deadlineMs` on, no worker starts another candidate
 * (the batch is `unfinished`), and the mailer is told not to wait past it: the caller's time is bounded by the
 * deadline plus the sends under way.
 */
export async function mailBatch<C extends MailCandidate>(
  ports: MailPorts,
  kind: EmailKind<C>,
  run: MailRun,
  candidates: readonly C[],
  options: { dryRun: boolean; concurrency: number; deadlineMs?: number },
): Promise<BatchResult> {
  const deadlineMs = options.deadlineMs ?? Infinity;
  // A ledger-only kind claims first and reads only when a claim loses: beyond the candidate's customer, its decision
  // needs the address's stop and the ledger entry, which its claim checks itself, and it has no windows to give back.
  // Other kinds read first: their windows skip many candidates without a claim, and a release needs what they were.
  const facts =
    kind.rules.ledgerOnly && !options.dryRun
      ? new Map<string, MailingFacts>()
      : await ports.store.readMailingFacts(
          kind.rules.stream,
          candidates.map((c) => ({ customerId: c.customer.customerId, email: c.customer.email, period: c.period })),
        );
  /** Dry runs claim nothing: the addresses they would mail, so a shared address counts once there too. */
  const wouldMail = new Set<string>();
  const counts = emptyCounts();
  counts.selected = candidates.length;
  const wouldSend: WouldSend[] = [];
  let deferred: SendDeferred | undefined;
  let blocked: SendBlocked | undefined;
  let outOfTime = false;

  const count = (decision: Decision) => {
    if (decision.kind === 'skip') counts.skipped[decision.reason]++;
    else if (decision.kind === 'sentByThisRun') counts.sent++;
    else if (decision.kind === 'failedByThisRun') counts.failed++;
  };

  const handle = async (candidate: C) => {
    const customerId = candidate.customer.customerId;
    const known = facts.get(customerId);
    const decision = decideFor(kind.rules, run, ports.now(), known, candidate.customer);
    if (decision.kind !== 'send' && decision.kind !== 'resume') return count(decision);
    const email = kind.compose(candidate);
    const to = (known?.customer ?? candidate.customer).email;
    if (options.dryRun) {
      if (wouldMail.has(normaliseAddress(to))) return count({ kind: 'skip', reason: 'alreadySent' });
      wouldMail.add(normaliseAddress(to));
      return void wouldSend.push({ customerId, email: to, subject: email.subject });
    }

    const previous = { customer: known?.state, address: known?.address?.state };
    const claimed = await claim(ports, kind.rules, run, candidate, decision, email, to, previous);
    if (claimed === 'gone') return void counts.selected--;
    if (!('claim' in claimed)) return count(claimed);

    const entry = { customerId, stream: kind.rules.stream, period: candidate.period, runId: run.runId };
    try {
      const { messageId } = await ports.send(
        {
          to: claimed.claim.email,
          subject: email.subject,
          html: email.html,
          text: email.text,
          headers: email.headers,
          tags: email.tags,
        },
        { deadlineMs },
      );
      await ports.store.recordOutcome(entry, { status: 'sent', messageId, sentAt: new Date(ports.now()).toISOString() });
      counts.sent++;
      await kind.afterSent?.(candidate);
    } catch (error) {
      if (error instanceof SendBlocked) {
        // Nothing went out, and nothing will until the account is fixed: this customer keeps their turn.
        if (claimed.resumed) await ports.store.recordOutcome(entry, { status: 'deferred', reason: 'blocked' });
        else await ports.store.releaseClaim(claimed.claim, claimed.previous);
        blocked ??= error;
        return;
      }
      if (error instanceof SendDeferred && error.reason === 'outOfTime') {
        // No slot before the deadline: the batch ends unfinished, and whoever goes on resumes this entry.
        await ports.store.recordOutcome(entry, { status: 'deferred', reason: error.reason });
        outOfTime = true;
        return;
      }
      if (error instanceof SendDeferred) {
        // SES said no: nothing went out, so the entry may be sent later, by this run or another of the period.
        await ports.store.recordOutcome(entry, { status: 'deferred', reason: error.reason });
        deferred ??= error;
        emitMetric(`${kind.name}Deferred`, 1, kind.dimensions);
        return;
      }
      if (!(error instanceof SendFailed)) throw error;
      await ports.store.recordOutcome(entry, { status: 'failed', reason: error.code });
      counts.failed++;
      logger.warn(`${kind.name}Failed`, { runId: run.runId, customerId, code: error.code });
    }
  };

  const queue = [...candidates];
  let failure: { error: unknown } | undefined;
  const goOn = () => !deferred && !blocked && !failure && !outOfTime && ports.now() < deadlineMs;
  await Promise.all(
    Array.from({ length: Math.max(1, options.concurrency) }, async () => {
      while (queue.length && goOn()) {
        try {
          await handle(queue.shift()!);
        } catch (error) {
          failure ??= { error };
        }
      }
    }),
  );
  if (failure) throw failure.error;
  if (blocked) emitMetric(`${kind.name}Blocked`, 1, kind.dimensions);
  const unfinished = (outOfTime || queue.length > 0) && !deferred && !blocked;
  if (unfinished) counts.selected -= queue.length; // not started: the next pass over the page selects them
  return {
    counts,
    wouldSend,
    ...(deferred ? { deferred } : {}),
    ...(blocked ? { blocked } : {}),
    ...(unfinished ? { unfinished: true as const } : {}),
  };
}

const decideFor = (
  rules: ContactRules,
  run: MailRun,
  now: number,
  facts: MailingFacts | undefined,
  customer: Recipient,
): Decision =>
  decide({
    customer: facts?.customer ?? customer,
    state: facts?.state,
    address: facts?.address,
    ledger: facts?.ledger,
    rules,
    runDate: run.date,
    now: new Date(now).toISOString(),
    runId: run.runId,
  });

/** A won claim, with the claim windows it replaced (to give them back if SES refuses the account). */
interface Claimed {
  claim: EmailClaim;
  previous: WindowsBefore;
  resumed: boolean;
}

/**
 * Claims (or resumes) one email. A lost claim is not retried blindly: the facts are read again (consistently) and
 * the policy says why it lost, or that it may try again (another run's claim of a deferred entry moved on).
 */
async function claim(
  ports: MailPorts,
  rules: ContactRules,
  run: MailRun,
  candidate: MailCandidate,
  decision: Decision,
  email: ComposedEmail,
  to: string,
  previous: WindowsBefore,
): Promise<Decision | Claimed | 'gone'> {
  const customerId = candidate.customer.customerId;
  for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
    const input: EmailClaim = {
      customerId,
      stream: rules.stream,
      period: candidate.period,
      runId: run.runId,
      email: to,
      rules,
      runDate: run.date,
      subject: email.subject,
      language: email.language,
      now: new Date(ports.now()).toISOString(),
    };
    const resumed = decision.kind === 'resume';
    const won = resumed ? await ports.store.resumeDeferred(input) : await ports.store.claim(input);
    if (won) return { claim: input, previous, resumed };
    const facts = (
      await ports.store.readMailingFacts(rules.stream, [{ customerId, email: to, period: candidate.period }], {
        consistent: true,
      })
    ).get(customerId);
    // Deleted since the selection: no longer a candidate (as a selected answer without a profile is none).
    if (!facts?.customer) return 'gone';
    // A changed address is claimed (and mailed) as it now is.
    to = facts.customer.email;
    previous = { customer: facts.state, address: facts.address?.state };
    decision = decideFor(rules, run, ports.now(), facts, facts.customer);
    if (decision.kind !== 'send' && decision.kind !== 'resume') return decision;
  }
  return { kind: 'skip', reason: 'alreadySent' }; // still contended after retries: another run is mailing them
}
