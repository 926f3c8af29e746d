import type { MailCounts } from '../mail/policy.ts';
import type { MailStore, Recipient } from '../mail/ports.ts';
import type { CandidateLookups, IndexQuery, SelectingAnswer } from './campaign.ts';
import type { CampaignId } from './registry.ts';

/**
 * The store port of a campaign run: the mail pipeline's operations, the selection, the candidate lookups and the
 * run record. functions/data implements it on DynamoDB; tests pass an in-memory fake.
 */
export interface CampaignStore extends MailStore, CandidateLookups {
  /**
   * Up to `limit` index items from where the cursor stands, in index order; `next` is undefined once every
   * partition is read. Items of the customer the cursor stopped at were handled with the page before.
   */
  readSelectionPage(queries: readonly IndexQuery[], cursor: SelectionCursor, limit: number): Promise<SelectionPage>;
  /** Profiles of customers selected by their answers. */
  getRecipients(customerIds: readonly string[]): Promise<Map<string, Recipient>>;
  createRun(run: CampaignRun): Promise<void>;
  getRun(campaignId: CampaignId, runId: string): Promise<CampaignRun | undefined>;
  /**
   * Takes a run for one invocation: a running run whose lease is free or expired, or a paused run whose pause is
   * over; undefined when someone else holds it or it is done.
   */
  leaseRun(
    campaignId: CampaignId,
    runId: string,
    owner: string,
    nowMs: number,
    leaseMs: number,
  ): Promise<CampaignRun | undefined>;
  /** Adds one page's counts and moves the cursor, if `owner` still holds the lease and page `run.pages` is not committed yet. */
  commitPage(
    run: CampaignRun,
    owner: string,
    counts: MailCounts,
    next: SelectionCursor | undefined,
    nowMs: number,
  ): Promise<void>;
  /** Ends an invocation's work on a run (the lease is released). */
  settleRun(run: CampaignRun, owner: string, how: RunSettlement, nowMs: number): Promise<void>;
  /** The campaign's runs that are not done. */
  unfinishedRuns(campaignId: CampaignId): Promise<CampaignRun[]>;
  /** Paused runs of every campaign whose pause is over at `nowMs` (read from an index, never a scan). */
  pausedRunsDue(nowMs: number): Promise<CampaignRun[]>;
}

/** Where a selection stands: the partition and the last key read in it (opaque outside the store). */
export interface SelectionCursor {
  partition: number;
  after?: Record<string, unknown>;
}

/** An index item: a customer (birthday, win-back indexes hold customer items) or one of their answers. */
export interface IndexItem {
  customerId: string;
  customer?: Recipient;
  answer?: SelectingAnswer;
}

export interface SelectionPage {
  items: IndexItem[];
  next?: SelectionCursor;
}

export type RunStatus = 'running' | 'paused' | 'done';

export type RunSettlement =
  { status: 'done' } | { status: 'paused'; resumeAfter: number; reason: string } | { status: 'running' };

/** A campaign run's record: its progress, where its selection stands, and who is working on it. */
export interface CampaignRun extends MailCounts {
  runId: string;
  campaignId: CampaignId;
  date: string;
  status: RunStatus;
  /** The moment the run stands for (birthdays are matched in each customer's time zone at this instant). */
  instantMs: number;
  /** Where unsubscribe links in this run's emails point. */
  linkBaseUrl: string;
  /** Undefined once the selection is read to the end. */
  cursor?: SelectionCursor;
  /** Pages committed so far: the fencing token of `commitPage`. */
  pages: number;
  createdAt: string;
  updatedAt: string;
  finishedAt?: string;
  /** A paused run is resumed after this time (epoch ms). */
  resumeAfter?: number;
  pauseReason?: string;
}
