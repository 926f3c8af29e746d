import { randomUUID } from 'node:crypto';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, type FunctionSpec } from '../manifest.ts';

/** What Lambda hands a function besides its event: name, request id, and the time left before its timeout. */
export function lambdaContext(fn: FunctionSpec): Context {
  const deadline = Date.now() + (fn.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const name = `local-${fn.name}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: String(fn.memorySize ?? DEFAULT_MEMORY_MB),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** The handler a function's entry exports: the very module Lambda runs, loaded once. */
export async function loadHandler<H>(fn: FunctionSpec): Promise<H> {
  const module = (await import(resolve(fn.entry))) as { handler: H };
  return module.handler;
}
