import { Duration, Stack } from 'aws-cdk-lib';
import { Alarm, ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { CAMPAIGN_IDS } from '../../functions/core/campaigns/registry.ts';
import { METRICS_NAMESPACE } from '../../functions/runtime/metrics.ts';

export interface AppreciationMailProps {
  /** The From address; its address or its domain must be a verified SES identity. */
  senderAddress: string;
  /** Subscribed by email to detractor notifications and alarms, when given. */
  teamAddress?: string;
}

/**
 * What appreciation email needs around the functions: an SES configuration set that reports bounces and
 * complaints to an encrypted topic, the team's topic, and alarms on failed sends and bounces.
 */
export class AppreciationMail extends Construct {
  readonly configurationSet: ConfigurationSet;
  /** SES bounce and complaint events. */
  readonly emailEvents: Topic;
  /** Detractor notifications and alarms for the team. */
  readonly teamTopic: Topic;
  /** The identities SES may send as: the sender address and its domain (whichever the team verified). */
  readonly identityArns: string[];

  constructor(scope: Construct, id: string, props: AppreciationMailProps) {
    super(scope, id);
    // SES cannot publish to a topic under the AWS-managed SNS key, so the topics share a key of their own.
    const key = new Key(this, 'TopicKey', { enableKeyRotation: true, description: 'Encrypts the feedback email topics' });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('ses.amazonaws.com'), new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    this.emailEvents = new Topic(this, 'EmailEvents', { masterKey: key, enforceSSL: true });
    this.teamTopic = new Topic(this, 'TeamTopic', { masterKey: key, enforceSSL: true });
    if (props.teamAddress) this.teamTopic.addSubscription(new EmailSubscription(props.teamAddress));

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet');
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.emailEvents),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    const stack = Stack.of(this);
    const domain = props.senderAddress.split('@')[1]!;
    this.identityArns = [props.senderAddress, domain].map((identity) =>
      stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
    );

    const alarm = (id: string, metric: Metric, threshold: number, description: string) => {
      new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      }).addAlarmAction(new SnsAction(this.teamTopic));
    };
    for (const campaignId of CAMPAIGN_IDS) {
      alarm(
        `SendFailures-${campaignId}`,
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: 'AppreciationFailed',
          dimensionsMap: { campaignId },
          statistic: 'Sum',
          period: Duration.hours(1),
        }),
        1,
        `Appreciation emails of ${campaignId} failed to send: see the SendAppreciation logs.`,
      );
    }
    alarm(
      'Bounces',
      new Metric({ namespace: METRICS_NAMESPACE, metricName: 'EmailBounced', statistic: 'Sum', period: Duration.hours(1) }),
      5,
      'Five or more appreciation emails bounced within an hour: check the customer addresses being imported.',
    );
    alarm(
      'BounceRate',
      new Metric({ namespace: 'AWS/SES', metricName: 'Reputation.BounceRate', statistic: 'Maximum', period: Duration.hours(1) }),
      0.04,
      "The account's SES bounce rate reached 4 %; SES reviews accounts at 5 %.",
    );
  }

  /** Delivers SES bounce and complaint events to the function. */
  subscribe(fn: IFunction): void {
    this.emailEvents.addSubscription(new LambdaSubscription(fn));
  }
}
