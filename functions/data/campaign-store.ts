import type { CampaignStore } from '#core/campaigns/store.ts';
import { noteLatestResponse } from './appreciation.ts';
import { partitionsOf, readSelectionPage } from './campaign-selection.ts';
import { commitPage, createRun, getRun, leaseRun, pausedRunsDue, settleRun, unfinishedRuns } from './campaign-runs.ts';
import type { Db } from './db.ts';
import { dynamoMailStore } from './mail-ledger.ts';
import { getRecipients } from './recipients.ts';
import { customerTimeline } from './responses.ts';

/** The campaign store port on DynamoDB: the production adapter the campaign runner is wired with. */
export const dynamoCampaignStore = (db: Db): CampaignStore => ({
  ...dynamoMailStore(db),
  readSelectionPage: (queries, cursor, limit) => readSelectionPage(db, partitionsOf(queries), cursor, limit),
  getRecipients: (customerIds) => getRecipients(db, customerIds),
  latestResponseAt: async (customerId) => (await customerTimeline(db, customerId, { limit: 1 }))[0]?.submittedAt,
  noteLatestResponse: (customerId, at) => noteLatestResponse(db, customerId, at),
  createRun: (run) => createRun(db, run),
  getRun: (campaignId, runId) => getRun(db, campaignId, runId),
  leaseRun: (campaignId, runId, owner, nowMs, leaseMs) => leaseRun(db, campaignId, runId, owner, nowMs, leaseMs),
  commitPage: (run, owner, counts, next, nowMs) => commitPage(db, run, owner, counts, next, nowMs),
  settleRun: (run, owner, how, nowMs) => settleRun(db, run, owner, how, nowMs),
  unfinishedRuns: (campaignId) => unfinishedRuns(db, campaignId),
  pausedRunsDue: (nowMs) => pausedRunsDue(db, nowMs),
});
