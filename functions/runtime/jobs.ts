import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import type { Context } from 'aws-lambda';
import { logger } from './logger.ts';

/**
 * Long jobs (a campaign run, an invitation backlog, a large erasure) work until shortly before Lambda's timeout,
 * then go on in a fresh invocation of the same function (manifest access `invokeSelf`).
 */

/** Left unused at the end of a job invocation, for the hand-off. */
export const JOB_MARGIN_MS = 30_000;

/** How long a job may work in this invocation; locally, with no Lambda timeout, `localBudgetMs`. */
export const jobBudgetMs = (context: Context | undefined, localBudgetMs: number): number =>
  context ? Math.max(0, context.getRemainingTimeInMillis() - JOB_MARGIN_MS) : localBudgetMs;

/**
 * How a job goes on. Deployed: an async invoke of this very function. Locally (no Lambda around it): `runHere` in
 * this process, at once; without it, nothing (the next scheduled tick goes on).
 */
export function selfContinuation<J>(runHere?: (job: J) => Promise<unknown>): (job: J) => Promise<void> {
  const self = process.env.AWS_LAMBDA_FUNCTION_NAME;
  if (self) {
    const lambda = new LambdaClient({});
    return async (job) => {
      await lambda.send(new InvokeCommand({ FunctionName: self, InvocationType: 'Event', Payload: JSON.stringify(job) }));
    };
  }
  return async (job) => {
    if (!runHere) return;
    setTimeout(() => {
      runHere(job).catch((error: unknown) => logger.error('LocalContinuationFailed', { error: error as Error }));
    }, 0);
  };
}
