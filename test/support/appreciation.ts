import { inject } from 'vitest';
import type { CampaignId } from '../../functions/core/campaigns/registry.ts';
import type { CampaignRun } from '../../functions/core/campaigns/store.ts';
import { newId } from '../../functions/core/ids.ts';
import { emptyCounts } from '../../functions/core/mail/policy.ts';
import type { DetractorNotice, Mailer } from '../../functions/core/mail/ports.ts';
import { parseKeyring } from '../../functions/core/tokens.ts';
import { noteLatestResponse } from '../../functions/data/appreciation.ts';
import { putCustomer } from '../../functions/data/customers.ts';
import type { Db } from '../../functions/data/db.ts';
import { dynamoCampaignStore } from '../../functions/data/campaign-store.ts';
import { sesMailer } from '../../functions/data/mailer.ts';
import { saveResponse } from '../../functions/data/responses.ts';
import { dynamoDbClient } from '../../functions/runtime/clients.ts';
import { sesClient } from '../../functions/runtime/ses-client.ts';
import type { AppreciationSettings, CampaignPorts, ContinueRunJob } from '../../functions/send-appreciation/ports.ts';
import { TEST_KEYRING } from '../setup-env.ts';
import { uniqueId } from './factories.ts';

export const appreciationDb = (): Db => ({ client: dynamoDbClient(), table: process.env.TABLE_NAME! });

export const testSettings = (overrides: Partial<AppreciationSettings> = {}): AppreciationSettings => ({
  timeZone: 'UTC',
  winBackDays: 90,
  frequencyCapDays: 7,
  maxSendRate: 200,
  offers: { 'promoter-thanks': 'THANKS-15: 15 % off' },
  brand: { name: 'Deniz Kaya', color: '#3949ab' },
  ...overrides,
});

/** No waiting in tests: the rate limiter and the backoff only record what they would sleep. */
export const instantClock = { now: () => Date.now(), sleep: async () => undefined };

/**
 * Ports on DynamoDB Local and the local SES; team notices and continuations are collected for assertions. `db`
 * swaps the table handle under the production store (to inject DynamoDB faults).
 */
export function testPorts(db: Db, { db: storeDb = db, ...overrides }: Partial<CampaignPorts> & { db?: Db } = {}) {
  const notices: DetractorNotice[] = [];
  const continued: ContinueRunJob[] = [];
  const send: Mailer = sesMailer({ client: sesClient(), from: 'feedback@example.com', maxSendRate: 200, clock: instantClock });
  const ports: CampaignPorts = {
    store: dynamoCampaignStore(storeDb),
    send,
    notifyTeam: async (n) => void notices.push(n),
    continueRun: async (job) => void continued.push(job),
    keyring: async () => parseKeyring(JSON.stringify(TEST_KEYRING)),
    now: () => Date.now(),
    settings: testSettings(),
    ...overrides,
  };
  return { ports, notices, continued };
}

export async function givenCustomer(db: Db, overrides: Record<string, unknown> = {}) {
  const customerId = uniqueId('c');
  const email = `${customerId}@example.com`;
  await putCustomer(db, customerId, { email, name: 'Ayşe Yılmaz', locale: 'tr', ...overrides }, new Date().toISOString());
  return { customerId, email };
}

/** An identified answer as an import would store it, with the win-back index moved as the API moves it. */
export async function givenAnswer(db: Db, customerId: string, answer: { nps: number; comment?: string; submittedAt: string }) {
  const responseId = newId();
  await saveResponse(db, {
    responseId,
    surveyId: 'appreciation',
    customerId,
    nps: answer.nps,
    comment: answer.comment,
    submittedAt: answer.submittedAt,
    receivedAt: answer.submittedAt,
    createdAt: answer.submittedAt,
  });
  await noteLatestResponse(db, customerId, answer.submittedAt);
  return responseId;
}

const DAY_MS = 86_400_000;
/** The days (since 1970-01-01) uniqueDate has handed out in this test file. */
const drawnDays: number[] = [];
/** Tests use the days around their date too (answers the day before, a run two days on): a week apart keeps them apart. */
const DRAWN_DAYS_APART = 7;

/**
 * A date no other test of this file uses, nor a day near it: selections read per-day index partitions, and each test
 * file has a table of its own (test/setup-integration.ts). A random day of the years given, drawn without replacement:
 * at least a week from every date drawn before in this file.
 */
export function uniqueDate(fromYear = 1971, years = 40): string {
  const first = Date.UTC(fromYear, 0, 1) / DAY_MS;
  for (let attempt = 0; attempt < 10_000; attempt++) {
    const day = first + Math.floor(Math.random() * years * 365);
    if (drawnDays.every((drawn) => Math.abs(drawn - day) >= DRAWN_DAYS_APART)) {
      drawnDays.push(day);
      return new Date(day * DAY_MS).toISOString().slice(0, 10);
    }
  }
  throw new Error(`uniqueDate: no day left in ${years} years from ${fromYear} a week from the ${drawnDays.length} drawn`);
}

export interface StoredEmail {
  messageId: string;
  from: string;
  replyTo: string[];
  destination: { to: string[] };
  subject: string;
  body: { html?: string; text?: string };
  headers?: Array<{ name: string; value: string }>;
}

/** What the local SES holds for these recipients (the store is shared by every test file, so always filter). */
export async function sentTo(...recipients: string[]): Promise<StoredEmail[]> {
  const res = await fetch(`${inject('sesEndpoint')}/store`);
  const { emails } = (await res.json()) as { emails: StoredEmail[] };
  return emails.filter((e) => e.destination.to.some((to) => recipients.includes(to)));
}

export const header = (email: StoredEmail, name: string) =>
  email.headers?.find((h) => h.name.toLowerCase() === name.toLowerCase())?.value;

/** A run record paused since two hours before `now`, due to resume at `resumeAfter`, with nothing done yet. */
export const aPausedRun = (run: {
  campaignId: CampaignId;
  date: string;
  now: number;
  resumeAfter: number;
  linkBaseUrl: string;
}): CampaignRun => ({
  runId: newId(run.now - 7_200_000),
  campaignId: run.campaignId,
  date: run.date,
  status: 'paused',
  instantMs: run.now,
  linkBaseUrl: run.linkBaseUrl,
  cursor: { partition: 0 },
  pages: 0,
  ...emptyCounts(),
  createdAt: new Date(run.now - 7_200_000).toISOString(),
  updatedAt: new Date(run.now).toISOString(),
  resumeAfter: run.resumeAfter,
});
