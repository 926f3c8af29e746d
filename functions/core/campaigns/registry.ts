import type { ContactRules } from '../mail/policy.ts';
import { birthday } from './birthday.ts';
import type { CampaignSettings, IndexQuery } from './campaign.ts';
import { detractorFollowup } from './detractor-followup.ts';
import { promoterThanks } from './promoter-thanks.ts';
import { winBack } from './win-back.ts';

/**
 * Every appreciation campaign, in the order they are listed and scheduled. The one place campaign ids exist:
 * the config, the manifest's schedules, the alarms, the runs API and the preview script derive from it.
 * Add a campaign: one file next to this one, and one line here.
 */
const ALL = [promoterThanks, detractorFollowup, winBack, birthday] as const;

export type Campaign = (typeof ALL)[number];
export type CampaignId = Campaign['id'];

export const CAMPAIGNS = Object.fromEntries(ALL.map((campaign) => [campaign.id, campaign])) as {
  readonly [C in Campaign as C['id']]: C;
};

export const CAMPAIGN_IDS = ALL.map((campaign) => campaign.id) as unknown as readonly [CampaignId, ...CampaignId[]];

export const isCampaignId = (value: unknown): value is CampaignId => typeof value === 'string' && Object.hasOwn(CAMPAIGNS, value);

/** The index partitions a run of a campaign reads for its date. */
export const selectionQueries = (campaignId: CampaignId, runDate: string, settings: CampaignSettings): IndexQuery[] =>
  CAMPAIGNS[campaignId].select(runDate, settings);

/** A campaign's contact rules: its own period, the deployment's frequency cap across campaigns. */
export const contactRules = (campaignId: CampaignId, frequencyCapDays: number): ContactRules => ({
  stream: campaignId,
  periodDays: CAMPAIGNS[campaignId].periodDays,
  capDays: frequencyCapDays,
});
