import type { Candidate, CandidateLookups } from '#core/campaigns/campaign.ts';
import { CAMPAIGNS } from '#core/campaigns/registry.ts';
import type { CampaignRun, CampaignStore, IndexItem } from '#core/campaigns/store.ts';
import type { Recipient } from '#core/mail/ports.ts';
import type { MailCandidate } from '../mail/pipeline.ts';
import type { AppreciationSettings } from './ports.ts';

export type CampaignCandidate = MailCandidate & Candidate;

/**
 * Turns a page of index items into the run's candidates: one per customer (their first item of the page), with a
 * profile (an answer from someone without one has no address to write to), then the campaign's own candidate step.
 */
export async function candidatesOf(
  store: CampaignStore,
  settings: AppreciationSettings,
  run: CampaignRun,
  items: readonly IndexItem[],
  dryRun: boolean,
): Promise<CampaignCandidate[]> {
  const seen = new Set<string>();
  const unique = items.filter((item) => !seen.has(item.customerId) && seen.add(item.customerId));
  const missing = unique.filter((item) => !item.customer).map((item) => item.customerId);
  const profiles = missing.length ? await store.getRecipients(missing) : new Map<string, Recipient>();
  const campaign = CAMPAIGNS[run.campaignId];
  const context = { runDate: run.date, instantMs: run.instantMs, settings, lookups: dryRun ? readOnly(store) : store };

  const candidates: CampaignCandidate[] = [];
  for (const item of unique) {
    const customer = item.customer ?? profiles.get(item.customerId);
    if (!customer) continue;
    const candidate = await campaign.candidate({ customer, answer: item.answer }, context);
    if (candidate) candidates.push({ customer, ...candidate });
  }
  return candidates;
}

/** A dry run writes nothing, not even an index repair. */
const readOnly = (lookups: CandidateLookups): CandidateLookups => ({
  latestResponseAt: (customerId) => lookups.latestResponseAt(customerId),
  noteLatestResponse: async () => undefined,
});
