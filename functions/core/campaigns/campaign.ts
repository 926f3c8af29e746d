import type { EmailLanguage, MessageCopy } from '../email-copy.ts';
import type { Recipient } from '../mail/ports.ts';

/**
 * What one appreciation campaign is, in one definition: its rules, its selection (which index partitions a run
 * reads, and how a selected item becomes a candidate with its ledger period), its default schedule and its copy.
 * Every field is required: a campaign that does not say how an item becomes a candidate does not compile.
 */
export interface CampaignDefinition<Id extends string = string> {
  /** kebab-case; the URL segment, the schedule id, the ledger stream, the metric dimension. */
  id: Id;
  /** A customer gets this campaign at most once in this many days. */
  periodDays: number;
  /** Whether the team hears about each email too (with the selecting answer). */
  notifiesTeam: boolean;
  /** EventBridge Scheduler cron in the config's time zone; cdk.json `schedules[id]` overrides it. */
  defaultSchedule: `cron(${string})`;
  /** The index partitions a run for `runDate` reads, in order. */
  select(runDate: string, settings: CampaignSettings): IndexQuery[];
  /**
   * Whether a selected customer is mailed by this run, and for which ledger period; undefined: not a candidate.
   * Called once per customer and page (their first item of the page), with their profile.
   */
  candidate(item: SelectedItem, context: CandidateContext): Candidate | undefined | Promise<Candidate | undefined>;
  /** Subject and paragraphs in every email language (mustache: name, score, comment, offer). */
  copy: Record<EmailLanguage, MessageCopy>;
}

/** Keeps the literal id, so the registry's `CampaignId` is the union of the definitions' ids. */
export const defineCampaign = <const Id extends string>(campaign: CampaignDefinition<Id>): CampaignDefinition<Id> => campaign;

/** Which index partition a selection reads; the data layer maps each to a query. */
export type IndexQuery =
  | { index: 'npsDay'; day: string; npsClass: 'promoter' | 'detractor' }
  | { index: 'birthday'; monthDay: string }
  | { index: 'lastResponse'; before: string };

/** The deployment's settings a selection depends on. */
export interface CampaignSettings {
  /** The schedule's time zone: customers without their own are matched in it. */
  timeZone: string;
  winBackDays: number;
}

/** An answer that selected a customer (promoter-thanks, detractor-followup). */
export interface SelectingAnswer {
  responseId: string;
  nps: number;
  comment?: string;
}

/** A selected customer with their profile, and the answer that selected them when the index holds answers. */
export interface SelectedItem {
  customer: Recipient;
  answer?: SelectingAnswer;
}

/** A customer this run mails (unless the contact policy says no). */
export interface Candidate {
  /** The ledger period: usually the run date; for birthdays the local date being celebrated. */
  period: string;
  /** Quoted in the email and the team notice. */
  answer?: SelectingAnswer;
}

/** The store operations a candidate step may use: indexes can be stale, the source of truth is read here. */
export interface CandidateLookups {
  /** The customer's latest response, from their timeline. */
  latestResponseAt(customerId: string): Promise<string | undefined>;
  /** Moves the customer's place in the last-response index forward (a dry run's is a no-op). */
  noteLatestResponse(customerId: string, at: string): Promise<void>;
}

export interface CandidateContext {
  runDate: string;
  /** The moment the run stands for (see `runInstant`). */
  instantMs: number;
  settings: CampaignSettings;
  lookups: CandidateLookups;
}
