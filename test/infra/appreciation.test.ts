import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { CAMPAIGN_IDS } from '../../functions/core/campaigns/registry.ts';
import { parseConfig } from '../../lib/config.ts';
import { FeedbackStack } from '../../lib/feedback-stack.ts';
import { FUNCTIONS } from '../../lib/manifest.ts';
import { ENV } from '../../functions/runtime/env.ts';

const config = parseConfig({
  senderAddress: 'thanks@shop.example',
  teamAddress: 'team@shop.example',
  timeZone: 'Europe/Istanbul',
});
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const template = Template.fromStack(new FeedbackStack(app, 'Test', { config }));

const mailers = FUNCTIONS.filter((f) => f.access.mailer);

describe('appreciation mail', () => {
  it('reports bounces and complaints from a configuration set to an encrypted topic the events function hears', () => {
    template.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        SnsDestination: { TopicARN: Match.anyValue() },
      }),
    });
    const topics = template.findResources('AWS::SNS::Topic');
    for (const topic of Object.values(topics)) expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
  });

  it('subscribes the team address to the team topic', () => {
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'team@shop.example' });
  });

  it('lets mailers send only from the sender address, as any identity SES checks (parent domain, sandbox recipient), through the configuration set', () => {
    expect(mailers.length).toBeGreaterThan(0);
    const statements = Object.values(template.findResources('AWS::IAM::Policy'))
      .flatMap((p) => p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown; Condition?: unknown }>)
      .filter((s) => JSON.stringify(s.Action).includes('ses:'));
    expect(statements).toHaveLength(mailers.length);
    for (const statement of statements) {
      expect(statement.Action).toBe('ses:SendEmail');
      expect(statement.Condition).toEqual({ StringEquals: { 'ses:FromAddress': 'thanks@shop.example' } });
      const arns = JSON.stringify(statement.Resource);
      expect(arns).toContain(':identity/*');
      expect(arns).toContain(':configuration-set/');
      expect(statement.Resource).toHaveLength(2);
    }
  });

  it('hands mailers their settings, configuration set and a public base URL as env', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.senderAddress]: 'thanks@shop.example',
          [ENV.scheduleTimeZone]: 'Europe/Istanbul',
          [ENV.sesConfigurationSet]: Match.anyValue(),
          [ENV.teamTopicArn]: Match.anyValue(),
          [ENV.publicBaseUrl]: Match.anyValue(),
        }),
      },
    });
  });

  it('runs each campaign on its own schedule in the configured time zone', () => {
    const schedules = template.findResources('AWS::Scheduler::Schedule');
    const inputs = Object.values(schedules).map((s) => JSON.parse(s.Properties.Target.Input) as Record<string, unknown>);
    // One per campaign, the paused-runs sweep and the invitation dispatcher.
    expect(
      inputs
        .filter((input) => 'campaignId' in input)
        .map((input) => input.campaignId)
        .sort(),
    ).toEqual([...CAMPAIGN_IDS].sort());
    expect(inputs.filter((i) => i.dispatch)).toEqual([{ dispatch: 'invitations' }]);
    for (const s of Object.values(schedules)) expect(s.Properties.ScheduleExpressionTimezone).toBe('Europe/Istanbul');
  });

  it('sweeps paused runs every 5 minutes: the runner is invoked to resume them, and an undelivered tick is dead-lettered', () => {
    const schedules = Object.values(template.findResources('AWS::Scheduler::Schedule'));
    const sweeps = schedules.filter((s) => 'resumePausedRuns' in JSON.parse(s.Properties.Target.Input));
    expect(sweeps).toHaveLength(1);
    const [sweep] = sweeps;
    expect(sweep!.Properties).toMatchObject({
      ScheduleExpression: 'cron(0/5 * * * ? *)',
      State: 'ENABLED',
      Target: {
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^SendAppreciationFunction/), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 2 },
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^SendAppreciationFailures/), 'Arn'] } },
      },
    });
    expect(JSON.parse(sweep!.Properties.Target.Input)).toEqual({ resumePausedRuns: {} });
  });

  it('alarms on failed sends of every campaign and on bounces', () => {
    for (const campaignId of CAMPAIGN_IDS) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'AppreciationFailed',
        Dimensions: [{ Name: 'campaignId', Value: campaignId }],
        AlarmActions: [Match.anyValue()],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'EmailBounced' });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'InvitationBlocked',
      Dimensions: [{ Name: 'kind', Value: 'invitation' }],
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SES', MetricName: 'Reputation.BounceRate' });
  });

  it('lets a long campaign run invoke its own function to go on', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          Match.objectLike({
            Action: 'lambda:InvokeFunction',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('SendAppreciation'), 'Arn'] },
          }),
        ],
      },
    });
  });
});

describe('scorer', () => {
  const scorer = FUNCTIONS.find((f) => f.stream)!;

  it('reads the stream with the manifest settings, filtered to response items', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: scorer.stream!.batchSize,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(scorer.stream!.filterPatterns![0]) }] },
    });
  });

  it('sends poison records to the same encrypted dead-letter queue as failed batches', () => {
    const scorerQueues = Object.keys(template.findResources('AWS::SQS::Queue')).filter((id) =>
      id.startsWith('ScorerDeadLetters'),
    );
    expect(scorerQueues).toHaveLength(1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [scorerQueues[0], 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ [ENV.scorerDlqUrl]: { Ref: Match.stringLikeRegexp('ScorerDeadLetters') } }) },
    });
  });
});

describe('public base URL', () => {
  it('is the configured domain for every function that hands out links (to surveys, or to the dashboard in alerts)', () => {
    const custom = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const withDomain = Template.fromStack(
      new FeedbackStack(custom, 'Custom', { config: parseConfig({ publicBaseUrl: 'https://feedback.shop.example' }) }),
    );
    const linkMakers = FUNCTIONS.filter(
      (f) => f.access.signingKeys || f.access.mailer || f.access.teamTopic || f.access.scoreAlerts,
    );
    const withBase = withDomain.findResources('AWS::Lambda::Function', {
      Properties: { Environment: { Variables: { [ENV.publicBaseUrl]: 'https://feedback.shop.example' } } },
    });
    expect(Object.keys(withBase)).toHaveLength(linkMakers.length);
  });
});
