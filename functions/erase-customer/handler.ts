import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { NotFound } from '#core/errors.ts';
import { beginErasure, eraseSome } from '#data/erasure.ts';
import { httpHandler } from '#runtime/http.ts';
import { jobBudgetMs, selfContinuation } from '#runtime/jobs.ts';
import { logger } from '#runtime/logger.ts';
import { tableFromEnv } from '#runtime/wiring.ts';
import { routes } from './routes.ts';

/**
 * Erasure: `DELETE /v1/customers/{customerId}` marks the erasure and deletes the profile, then answers 202; the job
 * (`{"eraseCustomer": {"customerId"}}`) deletes the rest a page at a time, handing on to a fresh invocation before
 * its timeout. The erasure mark carries it across invocations, and a DELETE sent again resumes one that stopped.
 */
const db = tableFromEnv();

/** Locally there is no Lambda timeout: an in-process continuation works this long before handing on again. */
const LOCAL_JOB_BUDGET_MS = 60_000;

interface Job {
  eraseCustomer: { customerId: string };
}

const handOn: (job: Job) => Promise<void> = selfContinuation<Job>((job) => erase(job, undefined));

async function erase(job: Job, context: Context | undefined) {
  const { customerId } = job.eraseCustomer;
  const deadline = Date.now() + jobBudgetMs(context, LOCAL_JOB_BUDGET_MS);
  if (!(await eraseSome(db, customerId, deadline)).done) return handOn(job);
  // The one record of the erasure: by id only, never the address.
  logger.info('CustomerErased', { customerId });
}

const http = httpHandler(routes, {
  'DELETE /v1/customers/{customerId}': {
    handle: async (req) => {
      const customerId = req.params.customerId;
      if ((await beginErasure(db, customerId, Date.now())) === 'not_found') throw new NotFound(`Customer "${customerId}"`);
      await handOn({ eraseCustomer: { customerId } });
      return { status: 202, body: { customerId, status: 'erasing' } };
    },
  },
});

const jobHandler = middy<Job, unknown, Error, Context>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context) => erase(event, context));

const isHttpEvent = (event: unknown): boolean =>
  typeof event === 'object' && event !== null && 'requestContext' in event && 'routeKey' in event;

export const handler = (event: unknown, context: Context) =>
  isHttpEvent(event) ? http(event as Parameters<typeof http>[0], context) : jobHandler(event as Job, context);
