import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config.ts';
import { FeedbackStack } from '../../lib/feedback-stack.ts';
import { FUNCTIONS, type FunctionSpec } from '../../lib/manifest.ts';
import { ENV } from '../../functions/runtime/env.ts';

/** The webhook queue as deployed: encrypted, dead-lettered, feeding the deliverer, reachable by publishers only. */
function synth(functions: readonly FunctionSpec[] = FUNCTIONS) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new FeedbackStack(app, 'Test', { config: parseConfig({}), functions }));
}

const template = synth();
const deliverer = FUNCTIONS.find((fn) => fn.webhookDeliveries)!;

const idOf = (type: string, pattern: RegExp) => {
  const ids = Object.keys(template.findResources(type)).filter((id) => pattern.test(id));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};
const queueId = idOf('AWS::SQS::Queue', /^WebhooksQueue/);
const deadLettersId = idOf('AWS::SQS::Queue', /^WebhooksDeadLetters/);

type Statement = { Action: string | string[]; Resource: unknown };
/** The SQS actions a function's role may perform, by queue logical id. */
function sqsGrantsOf(name: string): Record<string, string[]> {
  const [fn] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => id.startsWith(`${name}Function`));
  const roleId = (fn![1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const grants: Record<string, string[]> = {};
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    if (!JSON.stringify(policy.Properties.Roles).includes(JSON.stringify({ Ref: roleId }))) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
      const actions = [statement.Action].flat().filter((a) => a.startsWith('sqs:'));
      if (!actions.length) continue;
      for (const resource of [statement.Resource].flat()) {
        const target = JSON.stringify(resource);
        const queue = [queueId, deadLettersId].find((id) => target.includes(`"${id}"`)) ?? target;
        grants[queue] = [...(grants[queue] ?? []), ...actions].sort();
      }
    }
  }
  return grants;
}

describe('the webhook queue', () => {
  it('is encrypted, TLS-only, and moves a message received maxReceiveCount times to its dead-letter queue', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 6 * deliverer.timeoutSeconds!,
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [deadLettersId, 'Arn'] },
        maxReceiveCount: deliverer.webhookDeliveries!.maxReceiveCount,
      },
    });
    const queues = template.findResources('AWS::SQS::Queue');
    expect(queues[deadLettersId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    for (const id of [queueId, deadLettersId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  it('feeds the deliverer in batches with partial batch failures', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      FunctionName: { Ref: Match.stringLikeRegexp(`^${deliverer.name}Function`) },
      BatchSize: deliverer.webhookDeliveries!.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('alarms when deliveries are dead-lettered', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: Match.absent(),
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [deadLettersId, 'QueueName'] } }],
    });
  });

  it('grants the deliverer to consume its queue and send to it and to the dead letters, and nothing more', () => {
    const grants = sqsGrantsOf(deliverer.name);
    expect(Object.keys(grants).sort()).toEqual([queueId, deadLettersId].sort());
    expect(grants[queueId]).toEqual(
      expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:SendMessage']),
    );
    expect(grants[deadLettersId]).not.toContain('sqs:ReceiveMessage');
    expect(grants[deadLettersId]).toContain('sqs:SendMessage');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          [ENV.webhookQueueUrl]: { Ref: queueId },
          [ENV.webhookDeadLettersUrl]: { Ref: deadLettersId },
        }),
      },
    });
  });

  it('lets a publisher send to the queue only, and gives no function the local flag', () => {
    const publisher: FunctionSpec = {
      name: 'Publisher',
      entry: 'functions/health/handler.ts',
      access: { table: ['Query', 'PutItem'], webhookQueue: true },
    };
    const withPublisher = synth([...FUNCTIONS, publisher]);
    const grants = Object.fromEntries(
      Object.entries(withPublisher.findResources('AWS::IAM::Policy'))
        .filter(([id]) => id.startsWith('PublisherRole'))
        .flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[])
        .filter((s) => [s.Action].flat().some((a) => a.startsWith('sqs:')))
        .map((s) => [JSON.stringify(s.Resource), [s.Action].flat().sort()]),
    );
    expect(Object.keys(grants)).toEqual([JSON.stringify({ 'Fn::GetAtt': [queueId, 'Arn'] })]);
    expect(Object.values(grants)[0]).not.toContain('sqs:ReceiveMessage');
    expect(JSON.stringify(withPublisher.toJSON())).not.toContain(ENV.localWebhooks);
  });
});
