import { selectionQueries } from '#core/campaigns/registry.ts';
import type { CampaignRun, SelectionCursor } from '#core/campaigns/store.ts';
import type { MailCounts } from '#core/mail/policy.ts';
import type { SendBlocked, SendDeferred } from '#core/mail/ports.ts';
import { mailBatch } from '../mail/pipeline.ts';
import { campaignEmailKind } from './campaign-email.ts';
import { candidatesOf } from './candidates.ts';
import type { AppreciationSettings, CampaignPorts, Recipients } from './ports.ts';

/** A page's claims and sends take about this long at the maximum send rate; a page never starts without the time for it. */
const PAGE_SECONDS = 5;
export const SAFETY_MARGIN_MS = 2_000;

const pageSize = (settings: AppreciationSettings) => Math.max(10, Math.min(100, Math.floor(settings.maxSendRate * PAGE_SECONDS)));
export const pageTimeMs = (settings: AppreciationSettings) =>
  (pageSize(settings) / settings.maxSendRate) * 1000 + SAFETY_MARGIN_MS;

export interface PageResult {
  counts: MailCounts;
  next?: SelectionCursor;
  recipients: Recipients[];
  deferred?: SendDeferred;
  blocked?: SendBlocked;
  /** The deadline came mid-page: the page is not done, and its counts must not be committed (it is read again). */
  unfinished?: true;
}

/**
 * Reads one page of the campaign's selection and puts it through the mail pipeline (dry: says whom it would mail).
 * No candidate is started from `deadlineMs` on: the page then comes back `unfinished`.
 */
export async function processPage(
  ports: CampaignPorts,
  run: CampaignRun,
  dryRun: boolean,
  deadlineMs: number,
): Promise<PageResult> {
  const { store, settings } = ports;
  const queries = selectionQueries(run.campaignId, run.date, settings);
  const { items, next } = await store.readSelectionPage(queries, run.cursor ?? { partition: 0 }, pageSize(settings));
  const candidates = await candidatesOf(store, settings, run, items, dryRun);
  const kind = campaignEmailKind(ports, run, await ports.keyring());
  const concurrency = Math.min(16, Math.ceil(settings.maxSendRate));
  const { counts, wouldSend, deferred, blocked, unfinished } = await mailBatch(
    ports,
    kind,
    { runId: run.runId, date: run.date },
    candidates,
    { dryRun, concurrency, deadlineMs },
  );
  return {
    counts,
    next,
    recipients: wouldSend,
    ...(deferred ? { deferred } : {}),
    ...(blocked ? { blocked } : {}),
    ...(unfinished ? { unfinished } : {}),
  };
}
