#!/usr/bin/env node
/**
 * `npm run smoke -- --stack Feedback-<stage> [--wait 180]`: proves a deployed stack works, with the AWS credentials
 * and region of the environment (as `cdk deploy` uses them). Prints pass/fail per step; exits 1 on any failure.
 */
import { parseArgs } from 'node:util';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { runSmoke } from './smoke-steps.ts';

const { values } = parseArgs({ options: { stack: { type: 'string' }, wait: { type: 'string', default: '180' } } });
if (!values.stack) {
  console.error(
    'usage: npm run smoke -- --stack Feedback-<stage> [--wait <seconds>]  (AWS credentials and region from the environment)',
  );
  process.exit(2);
}

const results = await runSmoke(
  {
    fetch,
    cloudFormation: new CloudFormationClient({}),
    secrets: new SecretsManagerClient({}),
    ses: new SESv2Client({}),
    cloudWatch: new CloudWatchClient({}),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    now: () => new Date(),
    log: (line) => console.log(line),
  },
  { stack: values.stack, waitSeconds: Number(values.wait), pollMs: 3000 },
);
const failed = results.filter((r) => !r.ok).length;
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
