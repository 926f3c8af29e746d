import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config.ts';
import { FeedbackStack, isInvokedAsynchronously } from '../../lib/feedback-stack.ts';
import { FUNCTIONS } from '../../lib/manifest.ts';

/** What a team meets on its first deploy and when running the service: alarms that reach it, nothing dropped. */
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new FeedbackStack(app, 'Test', { config: parseConfig({}) });
const template = Template.fromStack(stack);
const logicalIdOf = (name: string) => stack.getLogicalId(stack.functions.get(name)!.fn.node.defaultChild as never);

type Statement = { Effect: string; Principal?: { Service?: string }; Action: string | string[]; Condition?: unknown };
const topicPolicies = () =>
  Object.values(template.findResources('AWS::SNS::TopicPolicy')) as Array<{
    Properties: { PolicyDocument: { Statement: Statement[] }; Topics: unknown[] };
  }>;

describe('alarms reach the team', () => {
  it('lets CloudWatch, from this account only, publish to the team topic that replaced SNS’s default policy', () => {
    const allows = topicPolicies()
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => s.Effect === 'Allow');
    const cloudwatch = allows.find((s) => s.Principal?.Service === 'cloudwatch.amazonaws.com');
    expect(cloudwatch).toBeDefined();
    expect(cloudwatch!.Action).toBe('sns:Publish');
    expect(cloudwatch!.Condition).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': expect.objectContaining({ 'Fn::Join': expect.anything() }) },
    });
  });

  it('lets CloudWatch use the topic key, from this account only', () => {
    template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: Match.arrayWith(['cloudwatch.amazonaws.com']) },
            Action: ['kms:GenerateDataKey*', 'kms:Decrypt'],
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('sends every alarm to the team topic, even with no teamAddress subscribed', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThan(10);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/TeamTopic/) }]);
    expect(template.findResources('AWS::SNS::Subscription', { Properties: { Protocol: 'email' } })).toEqual({});
  });

  it.each([
    ['every function’s errors', 'AWS/Lambda', 'Errors', FUNCTIONS.length],
    ['the stream consumer’s iterator age', 'AWS/Lambda', 'IteratorAge', FUNCTIONS.filter((f) => f.stream).length],
    ['API 5xx', 'AWS/ApiGateway', '5xx', 1],
    ['the SES complaint rate', 'AWS/SES', 'Reputation.ComplaintRate', 1],
    ['the SES bounce rate', 'AWS/SES', 'Reputation.BounceRate', 1],
    [
      'dead-letter and on-failure queue depth',
      'AWS/SQS',
      'ApproximateNumberOfMessagesVisible',
      // The scorer's DLQ, each on-failure queue, and the webhook deliveries' dead letters.
      1 + FUNCTIONS.filter(isInvokedAsynchronously).length + 1,
    ],
    ['team notifications that failed', 'Feedback', 'TeamNotificationFailed', 4],
    ['campaign pages that failed', 'Feedback', 'CampaignPageFailed', 4],
    ['runs SES refused for the account', 'Feedback', 'CampaignRunBlocked', 4],
  ])('alarms on %s', (_what, namespace, metricName, count) => {
    const found = template.findResources('AWS::CloudWatch::Alarm', {
      Properties: { Namespace: namespace, MetricName: metricName },
    });
    expect(Object.keys(found)).toHaveLength(count);
  });
});

describe('no asynchronous event is lost', () => {
  const asyncFunctions = FUNCTIONS.filter(isInvokedAsynchronously);

  it('knows which functions are invoked asynchronously', () => {
    expect(asyncFunctions.map((f) => f.name).sort()).toEqual([
      'CheckScoreDrops',
      'DispatchInvitations',
      'EraseCustomer',
      'RecordEmailEvents',
      'SendAppreciation',
    ]);
  });

  it.each(asyncFunctions.map((f) => [f.name]))('%s sends what fails after two retries to an encrypted queue', (name) => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: logicalIdOf(name) },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp(`${name}Failures`), 'Arn'] } } },
    });
  });

  it('gives every schedule a dead-letter queue', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    expect(schedules.length).toBeGreaterThan(0);
    for (const schedule of schedules) {
      expect(schedule.Properties.Target.DeadLetterConfig).toEqual({
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/Failures/), 'Arn'] },
      });
    }
  });

  it('encrypts every queue and refuses plain HTTP to it', () => {
    const queues = Object.values(template.findResources('AWS::SQS::Queue'));
    // The scorer's DLQ, each on-failure queue, and the webhook queue with its dead letters.
    expect(queues.length).toBe(1 + asyncFunctions.length + 2);
    for (const queue of queues) expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
    expect(Object.keys(template.findResources('AWS::SQS::QueuePolicy'))).toHaveLength(queues.length);
  });
});

describe('links survive the stack', () => {
  it('keeps the signing keys when the stack is deleted, like the table', () => {
    const secrets = template.findResources('AWS::SecretsManager::Secret');
    const signing = Object.entries(secrets).find(([id]) => id.startsWith('SigningKeys'));
    expect(signing?.[1]).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });
});

/** cfn-lint ships with these machines (not with npm): the test says so plainly where it is missing. */
const cfnLint = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });

describe('cfn-lint', () => {
  it('finds no errors in the synthesized template', () => {
    expect(cfnLint.error, 'cfn-lint is not on PATH: install it ("pip install cfn-lint") to lint the template').toBeUndefined();
    const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
    const file = join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(template.toJSON()));
    let output: string;
    try {
      output = execFileSync('cfn-lint', ['--format', 'parseable', '--regions', 'us-east-1', 'eu-west-1', '--', file], {
        encoding: 'utf8',
      });
    } catch (error) {
      output = String((error as { stdout?: string }).stdout ?? error);
    }
    const errors = output.split('\n').filter((line) => /:E\d{4}:/.test(line));
    expect(errors).toEqual([]);
  }, 120_000);
});

describe('the website widget (config allowedOrigins)', () => {
  it('has no CORS by default', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
  });

  it('becomes the HTTP API’s CORS configuration: those origins, POST only, the widget’s headers', () => {
    const widgetApp = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const widget = Template.fromStack(
      new FeedbackStack(widgetApp, 'Widget', { config: parseConfig({ allowedOrigins: ['https://shop.example'] }) }),
    );
    widget.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://shop.example'],
        AllowMethods: ['POST'],
        AllowHeaders: ['content-type', 'idempotency-key'],
        ExposeHeaders: ['idempotent-replayed'],
        MaxAge: 600,
      },
    });
  });
});
