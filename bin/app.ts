#!/usr/bin/env node
/** The CDK app: settings from the `feedback` context (cdk.json), one stack, cdk-nag's AWS Solutions checks. */
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../lib/config.ts';
import { FeedbackStack } from '../lib/feedback-stack.ts';

const app = new App();
const raw = app.node.tryGetContext('feedback') as unknown;
const config = parseConfig(typeof raw === 'string' ? JSON.parse(raw) : raw);

new FeedbackStack(app, `Feedback-${config.stage}`, {
  config,
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: 'Customer feedback: surveys, exact NPS/CSAT/CES scores, appreciation emails',
});

// Synth fails on any finding not acknowledged with a reason next to the construct it concerns.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
