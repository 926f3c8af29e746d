import type { IndexQuery, SelectingAnswer } from '../../functions/core/campaigns/campaign.ts';
import type { CampaignRun, CampaignStore, IndexItem } from '../../functions/core/campaigns/store.ts';
import {
  claimWindows,
  normaliseAddress,
  SKIP_REASONS,
  type AddressFacts,
  type LedgerStatus,
  type MailState,
} from '../../functions/core/mail/policy.ts';
import type { EmailClaim, Mailer, OutgoingEmail, Recipient } from '../../functions/core/mail/ports.ts';

/** A ledger entry as the fake keeps it. */
export interface FakeLedgerEntry {
  status: LedgerStatus;
  runId: string;
  subject: string;
  messageId?: string;
  reason?: string;
}

type StoredRun = CampaignRun & { leaseOwner?: string; leaseUntil?: number };

const conditionFailed = () =>
  Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

/**
 * The campaign store port in memory, with the conditions of the DynamoDB adapter (claim windows, fenced page
 * commits, leases): the run use case is tested against it in milliseconds. Its state is open for assertions, and
 * any method may be swapped to inject a fault.
 */
export function fakeCampaignStore() {
  const customers = new Map<string, Recipient>();
  /** Index partitions by query: `npsDay#<day>#<class>`, `birthday#<MM-DD>`; lastResponse reads the customers. */
  const partitions = new Map<string, IndexItem[]>();
  const latest = new Map<string, string>();
  const mailState = new Map<string, MailState>();
  /** By normalised address. */
  const addresses = new Map<string, AddressFacts>();
  const addressOf = (email: string) => {
    const key = normaliseAddress(email);
    if (!addresses.has(key)) addresses.set(key, { unsubscribed: false, suppressed: false });
    return addresses.get(key)!;
  };
  const ledger = new Map<string, FakeLedgerEntry>();
  const runs = new Map<string, StoredRun>();
  const ledgerKey = (customerId: string, stream: string, period: string) => `${customerId}#${stream}#${period}`;
  const mailable = (id: string, email: string) => {
    const c = customers.get(id);
    const address = addressOf(email);
    return c?.email === email && !c.unsubscribed && !c.suppressed && !address.unsubscribed && !address.suppressed;
  };
  const windowsFree = (state: MailState | undefined, claim: EmailClaim) => {
    const { periodCutoff, capCutoff } = claimWindows(claim.rules, claim.runDate, claim.now);
    const last = state?.lastOn[claim.stream];
    if (last !== undefined && last > periodCutoff) return false;
    return !(capCutoff !== undefined && state?.lastSentAt !== undefined && state.lastSentAt > capCutoff);
  };
  const taken = (state: MailState | undefined, claim: EmailClaim): MailState => ({
    lastSentAt: claim.now,
    lastOn: { ...state?.lastOn, [claim.stream]: claim.runDate },
  });
  const given = (state: MailState | undefined, claim: EmailClaim, before: MailState | undefined) => {
    if (state?.lastOn[claim.stream] !== claim.runDate || state.lastSentAt !== claim.now) return state;
    const lastOn = { ...state.lastOn, [claim.stream]: before?.lastOn[claim.stream] };
    if (lastOn[claim.stream] === undefined) delete lastOn[claim.stream];
    return { lastSentAt: before?.lastSentAt, lastOn };
  };
  const itemsOf = (q: IndexQuery): IndexItem[] => {
    if (q.index === 'npsDay') return partitions.get(`npsDay#${q.day}#${q.npsClass}`) ?? [];
    if (q.index === 'birthday') return partitions.get(`birthday#${q.monthDay}`) ?? [];
    return [...customers.values()]
      .filter((c) => c.lastResponseAt !== undefined && c.lastResponseAt < q.before)
      .map((c) => ({ customerId: c.customerId, customer: { ...c } }));
  };

  const store: CampaignStore = {
    async readSelectionPage(queries, cursor, limit) {
      let partition = cursor.partition;
      let offset = Number(cursor.after?.offset ?? 0);
      const items: IndexItem[] = [];
      while (partition < queries.length && items.length < limit) {
        const all = itemsOf(queries[partition]!);
        const taken = all.slice(offset, offset + limit - items.length);
        items.push(...taken);
        offset += taken.length;
        if (offset >= all.length) {
          partition++;
          offset = 0;
        }
      }
      return { items, next: partition < queries.length ? { partition, after: { offset } } : undefined };
    },
    async getRecipients(ids) {
      return new Map(ids.filter((id) => customers.has(id)).map((id) => [id, { ...customers.get(id)! }]));
    },
    async latestResponseAt(customerId) {
      return latest.get(customerId);
    },
    async noteLatestResponse(customerId, at) {
      const c = customers.get(customerId);
      if (c && (c.lastResponseAt === undefined || c.lastResponseAt < at)) c.lastResponseAt = at;
    },
    async readMailingFacts(stream, wanted) {
      const copy = (state: MailState | undefined) => state && { ...state, lastOn: { ...state.lastOn } };
      return new Map(
        wanted.map(({ customerId, email, period }) => {
          const c = customers.get(customerId);
          const address = addressOf(c?.email ?? email ?? '');
          const entry = ledger.get(ledgerKey(customerId, stream, period));
          return [
            customerId,
            {
              customer: c && { ...c },
              state: copy(mailState.get(customerId)),
              address: { ...address, state: copy(address.state) },
              ledger: entry && { status: entry.status, runId: entry.runId },
            },
          ];
        }),
      );
    },
    async claim(claim: EmailClaim) {
      const state = mailState.get(claim.customerId);
      const address = addressOf(claim.email);
      const key = ledgerKey(claim.customerId, claim.stream, claim.period);
      if (!mailable(claim.customerId, claim.email) || ledger.has(key)) return false;
      if (claim.rules.ledgerOnly) {
        ledger.set(key, { status: 'claimed', runId: claim.runId, subject: claim.subject });
        return true;
      }
      if (!windowsFree(state, claim) || !windowsFree(address.state, claim)) return false;
      mailState.set(claim.customerId, taken(state, claim));
      address.state = taken(address.state, claim);
      ledger.set(key, { status: 'claimed', runId: claim.runId, subject: claim.subject });
      return true;
    },
    async resumeDeferred(claim) {
      const entry = ledger.get(ledgerKey(claim.customerId, claim.stream, claim.period));
      if (!mailable(claim.customerId, claim.email) || entry?.status !== 'deferred') return false;
      Object.assign(entry, { status: 'claimed', runId: claim.runId, subject: claim.subject });
      return true;
    },
    async releaseClaim(claim, previous) {
      const key = ledgerKey(claim.customerId, claim.stream, claim.period);
      if (ledger.get(key)?.runId !== claim.runId || ledger.get(key)?.status !== 'claimed') throw conditionFailed();
      ledger.delete(key);
      if (claim.rules.ledgerOnly) return;
      const state = given(mailState.get(claim.customerId), claim, previous.customer);
      if (state) mailState.set(claim.customerId, state);
      const address = addressOf(claim.email);
      address.state = given(address.state, claim, previous.address);
    },
    async recordOutcome(ref, outcome) {
      const entry = ledger.get(ledgerKey(ref.customerId, ref.stream, ref.period));
      if (entry?.runId !== ref.runId) throw conditionFailed();
      entry.status = outcome.status;
      if (outcome.status === 'sent') entry.messageId = outcome.messageId;
      else entry.reason = outcome.reason;
    },
    async createRun(run) {
      if (runs.has(run.runId)) throw conditionFailed();
      runs.set(run.runId, structuredClone(run));
    },
    async getRun(_campaignId, runId) {
      const run = runs.get(runId);
      return run && publicRun(run);
    },
    async leaseRun(_campaignId, runId, owner, nowMs, leaseMs) {
      const run = runs.get(runId);
      if (!run) return undefined;
      const free = run.status === 'running' && (run.leaseUntil === undefined || run.leaseUntil < nowMs);
      const resumable = run.status === 'paused' && (run.resumeAfter ?? 0) <= nowMs;
      if (!free && !resumable) return undefined;
      Object.assign(run, {
        leaseOwner: owner,
        leaseUntil: nowMs + leaseMs,
        status: 'running',
        resumeAfter: undefined,
        pauseReason: undefined,
      });
      return publicRun(run);
    },
    async commitPage(run, owner, counts, next) {
      const stored = runs.get(run.runId)!;
      if (stored.leaseOwner !== owner || stored.pages !== run.pages) throw conditionFailed();
      stored.selected += counts.selected;
      stored.sent += counts.sent;
      stored.failed += counts.failed;
      for (const reason of SKIP_REASONS) stored.skipped[reason] += counts.skipped[reason];
      stored.pages++;
      stored.cursor = next;
    },
    async settleRun(run, owner, how) {
      const stored = runs.get(run.runId)!;
      if (stored.leaseOwner !== owner) throw conditionFailed();
      Object.assign(stored, { status: how.status, leaseOwner: undefined, leaseUntil: undefined });
      if (how.status === 'paused') Object.assign(stored, { resumeAfter: how.resumeAfter, pauseReason: how.reason });
    },
    async unfinishedRuns(campaignId) {
      return [...runs.values()].filter((r) => r.campaignId === campaignId && r.status !== 'done').map(publicRun);
    },
    async pausedRunsDue(nowMs) {
      return [...runs.values()]
        .filter((r) => r.status === 'paused' && r.resumeAfter !== undefined && r.resumeAfter <= nowMs)
        .sort((a, b) => a.resumeAfter! - b.resumeAfter!)
        .map(publicRun);
    },
  };

  /** Given: a customer; `answered` puts their answer into a day's npsDay partition. */
  const givenCustomer = (customer: Partial<Recipient> & { customerId: string }) => {
    const c: Recipient = { email: `${customer.customerId}@example.com`, unsubscribed: false, ...customer };
    customers.set(c.customerId, c);
    return c;
  };
  const givenAnswer = (customerId: string, day: string, answer: SelectingAnswer) => {
    const key = `npsDay#${day}#${answer.nps >= 9 ? 'promoter' : 'detractor'}`;
    partitions.set(key, [...(partitions.get(key) ?? []), { customerId, answer }]);
  };

  return { store, customers, latest, mailState, addresses, addressOf, ledger, runs, givenCustomer, givenAnswer, ledgerKey };
}

const publicRun = (run: StoredRun): CampaignRun => {
  const { leaseOwner: _owner, leaseUntil: _until, ...rest } = structuredClone(run);
  return rest;
};

/** A mailer that keeps what it sends; `behave` may throw SendDeferred or SendFailed for an email. */
export function fakeMailer(behave: (email: OutgoingEmail, sent: OutgoingEmail[]) => void = () => undefined) {
  const sent: OutgoingEmail[] = [];
  const send: Mailer = async (email) => {
    behave(email, sent);
    sent.push(email);
    return { messageId: `m-${sent.length}` };
  };
  return { send, sent };
}
