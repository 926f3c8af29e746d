import type { Brand } from '#core/brand.ts';
import type { CampaignId } from '#core/campaigns/registry.ts';
import type { CampaignStore } from '#core/campaigns/store.ts';
import type { MailCounts } from '#core/mail/policy.ts';
import type { Mailer, NotifyTeam } from '#core/mail/ports.ts';
import type { Keyring } from '#core/tokens.ts';

/** The deployment's appreciation settings (from cdk.json context, through env vars). */
export interface AppreciationSettings {
  timeZone: string;
  winBackDays: number;
  frequencyCapDays: number;
  maxSendRate: number;
  offers: Partial<Record<CampaignId, string>>;
  /** Who the emails come from: signed off with its name (after the closing in the customer's language), its logo and colour. */
  brand: Brand;
}

/** Everything a run touches, passed in: tests give fakes, the handler the real adapters. */
export interface CampaignPorts {
  store: CampaignStore;
  send: Mailer;
  notifyTeam: NotifyTeam;
  /** Goes on with a run in a fresh invocation (deployed: async self-invoke; locally: in-process). */
  continueRun: (job: ContinueRunJob) => Promise<void>;
  keyring: () => Promise<Keyring>;
  now: () => number;
  settings: AppreciationSettings;
}

export interface ContinueRunJob {
  /** `failures`: pages that failed in a row before this hand-off (absent: none), so a persistent fault stops handing on. */
  continueRun: { campaignId: CampaignId; runId: string; failures?: number };
}

/** The resume sweep's event, from its 5-minute schedule: hand on every paused run whose pause is over. */
export interface ResumePausedRunsJob {
  resumePausedRuns: Record<string, never>;
}

export interface Recipients {
  customerId: string;
  email: string;
  subject: string;
}

/** The contract's run body. */
export interface RunReport extends MailCounts {
  runId: string;
  campaignId: CampaignId;
  date: string;
  dryRun: boolean;
  status: 'running' | 'paused' | 'done';
  recipients?: Recipients[];
  /** Dry runs only: the recipient list stops here; `wouldSend` counts them all. */
  recipientsTruncated?: boolean;
  wouldSend?: number;
  /** Dry runs only: the budget ran out before the whole selection was read; the counts cover what was read. */
  truncated?: boolean;
  resumeAfter?: string;
  /** Why a paused run waits: `quota`, `throttled`, or `blocked: <SES error>` (the account's SES setup needs a fix). */
  pauseReason?: string;
}
