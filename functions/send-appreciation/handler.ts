import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SNSClient } from '@aws-sdk/client-sns';
import type { Context } from 'aws-lambda';
import { isCampaignId, type CampaignId } from '#core/campaigns/registry.ts';
import { addDays, isIsoDate } from '#core/dates.ts';
import { NotFound, ValidationFailed } from '#core/errors.ts';
import type { NotifyTeam } from '#core/mail/ports.ts';
import { dynamoCampaignStore } from '#data/campaign-store.ts';
import { sesMailer } from '#data/mailer.ts';
import { dynamoSendRate } from '#data/send-rate.ts';
import { emailTeamNotifier, snsTeamNotifier } from '#data/team-notifier.ts';
import { ENV } from '#runtime/env.ts';
import { httpHandler, type HttpRequest } from '#runtime/http.ts';
import { jobBudgetMs, selfContinuation } from '#runtime/jobs.ts';
import { logger } from '#runtime/logger.ts';
import { signingKeyring } from '#runtime/secrets.ts';
import { sesClient } from '#runtime/ses-client.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import type { CampaignPorts, ContinueRunJob, ResumePausedRunsJob } from './ports.ts';
import { continueRun, isResumable, reportOf, resumeDueRuns, resumePausedRuns, runScheduled, startRun } from './run-campaign.ts';
import { routes } from './routes.ts';
import { appreciationEnv } from './settings.ts';

/**
 * The campaign runner: the schedules (`{"campaignId": …}`), the resume sweep (`{"resumePausedRuns": {}}`), its own
 * continuations (`{"continueRun": …}`) and the runs API, in one function so a run is the same code whoever starts it.
 */
const env = appreciationEnv();
const ses = sesClient();

/** A run answers the HTTP call itself when done within this time; otherwise it answers 202 and goes on. */
const HTTP_BUDGET_MS = 20_000;
/** Locally there is no Lambda timeout: an in-process continuation works this long before handing on again. */
const LOCAL_JOB_BUDGET_MS = 14 * 60_000;

function teamNotifier(): NotifyTeam {
  if (env.teamTopicArn) return snsTeamNotifier(new SNSClient({}), env.teamTopicArn);
  if (env.teamAddress) return emailTeamNotifier(ses, env.sender, env.teamAddress);
  return async (notice) => logger.info('DetractorFollowedUp', { customerId: notice.customerId, score: notice.score });
}

const table = tableFromEnv();
const ports: CampaignPorts = {
  store: dynamoCampaignStore(table),
  send: sesMailer({
    client: ses,
    from: env.sender,
    replyTo: env.replyTo,
    configurationSet: env.configurationSet,
    maxSendRate: env.settings.maxSendRate,
    // One rate for the account: concurrent runs, schedules and continuations share it through the table.
    sendRate: dynamoSendRate(table, env.settings.maxSendRate),
  }),
  notifyTeam: teamNotifier(),
  continueRun: selfContinuation((job) => jobs(job, undefined)),
  keyring: signingKeyring,
  now: () => Date.now(),
  settings: env.settings,
};

/**
 * How far a run's date may be from today (UTC): a future date would take every customer's claim windows for years
 * ahead (`lastOn#…` is set to the run date), an old one only replays the past (the frequency cap runs on the clock).
 */
const RUN_DATE_DAYS_BACK = 30;
const RUN_DATE_DAYS_AHEAD = 1;

/** `{"date":"YYYY-MM-DD","dryRun":false}`, both optional. Checked by hand: a zod schema here tripled the bundle. */
function parseRunBody(body: unknown, today: string): { date?: string; dryRun: boolean } {
  if (body === undefined) return { dryRun: false };
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationFailed([{ path: '', message: 'Send a JSON object.' }]);
  }
  const { date, dryRun = false, ...rest } = body as Record<string, unknown>;
  const issues = Object.keys(rest).map((key) => ({ path: key, message: 'Unknown field.' }));
  if (date !== undefined && (typeof date !== 'string' || !isIsoDate(date)))
    issues.push({ path: 'date', message: 'Use a real date, YYYY-MM-DD.' });
  else if (
    typeof date === 'string' &&
    (date < addDays(today, -RUN_DATE_DAYS_BACK) || date > addDays(today, RUN_DATE_DAYS_AHEAD))
  ) {
    issues.push({
      path: 'date',
      message: `Use a date from ${addDays(today, -RUN_DATE_DAYS_BACK)} to ${addDays(today, RUN_DATE_DAYS_AHEAD)} (UTC).`,
    });
  }
  if (typeof dryRun !== 'boolean') issues.push({ path: 'dryRun', message: 'Use true or false.' });
  if (issues.length) throw new ValidationFailed(issues);
  return { date: date as string | undefined, dryRun: dryRun as boolean };
}

function campaignOf(req: HttpRequest): CampaignId {
  const id = req.params.campaignId;
  if (!isCampaignId(id)) throw new NotFound(`Campaign "${id}"`);
  return id;
}

const http = httpHandler(routes, {
  'POST /v1/campaigns/{campaignId}/runs': {
    handle: async (req) => {
      const campaignId = campaignOf(req);
      const today = new Date(ports.now()).toISOString().slice(0, 10);
      const body = parseRunBody(req.body, today);
      const date = body.date ?? today;
      if (!body.dryRun) {
        // Best effort: a paused run of this campaign whose pause is over goes on now, not at the next schedule.
        await resumeDueRuns(ports, campaignId).catch((error: unknown) =>
          logger.warn('ResumeDueRunsFailed', { campaignId, error: error as Error }),
        );
      }
      const report = await startRun(ports, { campaignId, date, dryRun: body.dryRun, linkBaseUrl: req.origin }, HTTP_BUDGET_MS);
      if (report.status === 'done') return { status: 200, body: report };
      // The contract's 202 says `running`: a run paused by SES goes on by itself; the pause is an extra detail.
      return {
        status: 202,
        body: {
          runId: report.runId,
          status: 'running',
          ...(report.status === 'paused'
            ? { paused: true, resumeAfter: report.resumeAfter, pauseReason: report.pauseReason }
            : {}),
        },
      };
    },
  },
  'GET /v1/campaigns/{campaignId}/runs/{runId}': {
    handle: async (req) => {
      const campaignId = campaignOf(req);
      const runId = req.params.runId ?? '';
      const run = /^[0-9A-Z]{26}$/.test(runId) ? await ports.store.getRun(campaignId, runId) : undefined;
      if (!run) throw new NotFound(`Run "${runId}" of campaign "${campaignId}"`);
      if (isResumable(run, ports.now())) {
        // Looking at a run whose pause is over hands it on (the lease keeps it to one worker); it shows as paused until taken.
        await ports
          .continueRun({ continueRun: { campaignId, runId: run.runId } })
          .catch((error: unknown) => logger.warn('ResumeRunFailed', { campaignId, runId, error: error as Error }));
      }
      return { status: 200, body: reportOf(run) };
    },
  },
});

type Job = { campaignId: string } | ContinueRunJob | ResumePausedRunsJob;

const budgetOf = (context: Context | undefined) => jobBudgetMs(context, LOCAL_JOB_BUDGET_MS);

async function jobs(event: Job, context: Context | undefined) {
  if ('resumePausedRuns' in event) return resumePausedRuns(ports);
  if ('continueRun' in event) {
    if (!isCampaignId(event.continueRun.campaignId))
      throw new ValidationFailed([{ path: 'continueRun.campaignId', message: 'Unknown campaign.' }]);
    const run = await continueRun(ports, event.continueRun, budgetOf(context));
    return { runId: run.runId, status: run.status };
  }
  if (!isCampaignId(event.campaignId)) throw new ValidationFailed([{ path: 'campaignId', message: 'Unknown campaign.' }]);
  if (!env.publicBaseUrl) throw new Error(`Set ${ENV.publicBaseUrl}: scheduled emails need it for their unsubscribe links.`);
  const report = await runScheduled(ports, event.campaignId, env.publicBaseUrl, budgetOf(context));
  return { runId: report.runId, status: report.status, sent: report.sent };
}

const jobHandler = middy<Job, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => jobs(event, context));

const isHttpEvent = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && 'requestContext' in event && 'routeKey' in event;

export const handler = (event: unknown, context: Context) =>
  isHttpEvent(event) ? http(event as Parameters<typeof http>[0], context) : jobHandler(event as Job, context);
