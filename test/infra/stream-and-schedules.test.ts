import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config.ts';
import { FeedbackStack } from '../../lib/feedback-stack.ts';
import type { FunctionSpec } from '../../lib/manifest.ts';

const consumer: FunctionSpec = {
  name: 'Consumer',
  entry: 'functions/health/handler.ts',
  access: { table: ['GetItem', 'PutItem', 'UpdateItem'], scorerDlq: true },
  stream: {
    batchSize: 100,
    maxBatchingWindowSeconds: 1,
    retryAttempts: 5,
    maxRecordAgeSeconds: 3600,
    bisectBatchOnError: true,
    filterPatterns: [{ dynamodb: { Keys: { pk: { S: [{ prefix: 'RESPONSE#' }] } } } }],
  },
};
const scheduled: FunctionSpec = {
  name: 'Scheduled',
  entry: 'functions/health/handler.ts',
  access: {},
  schedules: [{ id: 'birthday', input: { campaignId: 'birthday' } }],
};

function synth(functions: FunctionSpec[], config = {}) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new FeedbackStack(app, 'Test', { config: parseConfig(config), functions }));
}

describe('a stream consumer of the manifest', () => {
  const template = synth([consumer]);

  it('gets an event source mapping with the manifest settings and partial batch failures', () => {
    const filters = new Capture();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 1,
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 3600,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
      FilterCriteria: { Filters: [{ Pattern: filters }] },
    });
    expect(JSON.parse(filters.asString())).toEqual(consumer.stream!.filterPatterns![0]);
  });

  it('keeps failures in an encrypted queue that only accepts TLS', () => {
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });
});

describe('a scheduled function of the manifest', () => {
  it('gets one schedule per entry, with the configured cron and time zone, invoking it with the input', () => {
    const template = synth([scheduled], { timeZone: 'Europe/Tallinn', schedules: { birthday: 'cron(30 7 * * ? *)' } });
    const input = new Capture();
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(30 7 * * ? *)',
      ScheduleExpressionTimezone: 'Europe/Tallinn',
      Target: Match.objectLike({ Input: input, RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }) }),
    });
    expect(JSON.parse(input.asString())).toEqual({ campaignId: 'birthday' });
  });

  it('keeps a fixed cron of the manifest whatever the config says, and refuses one EventBridge would not deploy', () => {
    const sweeping: FunctionSpec = { ...scheduled, schedules: [{ id: 'sweep', cron: 'cron(0/5 * * * ? *)', input: {} }] };
    synth([sweeping], { schedules: { birthday: 'cron(30 7 * * ? *)' } }).hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0/5 * * * ? *)',
    });
    const broken: FunctionSpec = { ...scheduled, schedules: [{ id: 'sweep', cron: 'cron(0/5 * * * * *)', input: {} }] };
    expect(() => synth([broken])).toThrow(/Schedule "sweep".*Put "\?"/);
  });

  it('refuses a schedule with no cron in the config', () => {
    const orphan: FunctionSpec = { ...scheduled, schedules: [{ id: 'nightly', input: {} }] };
    expect(() => synth([orphan])).toThrow(/feedback\.schedules\["nightly"\]/);
  });
});

describe('the schedules role', () => {
  it('may be assumed by EventBridge Scheduler of this account only, invokes only the scheduled function, and dead-letters to its queue', () => {
    const template = synth([scheduled]);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ],
      },
    });
    const invoke = new Capture();
    const deadLetters = new Capture();
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({ Action: 'lambda:InvokeFunction', Resource: invoke }),
          Match.objectLike({ Action: 'sqs:SendMessage', Resource: deadLetters }),
        ],
      },
      Roles: [{ Ref: Match.stringLikeRegexp('ScheduledSchedulesRole') }],
    });
    expect(JSON.stringify(invoke.asArray())).toMatch(/ScheduledFunction/);
    expect(deadLetters.asObject()).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ScheduledFailures/), 'Arn'] });
  });
});
