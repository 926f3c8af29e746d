import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Metric } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { ConfigurationSet, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription, LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { CAMPAIGN_IDS } from '../../functions/core/campaigns/registry.ts';
import { METRICS_NAMESPACE } from '../../functions/runtime/metrics.ts';
import type { Monitoring } from './monitoring.ts';

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
  /** The From address every email carries: the only one the mailers may send as. */
  readonly senderAddress: string;

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
    // enforceSSL makes a topic policy, which replaces SNS's default one: CloudWatch needs its own grant to notify.
    this.teamTopic.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.teamTopic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': Stack.of(this).account },
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'cloudwatch',
              resource: 'alarm',
              resourceName: '*',
              arnFormat: ArnFormat.COLON_RESOURCE_NAME,
            }),
          },
        },
      }),
    );

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet');
    this.configurationSet.addEventDestination('BouncesAndComplaints', {
      destination: EventDestination.snsTopic(this.emailEvents),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT],
    });

    this.senderAddress = props.senderAddress;
  }

  /** Alarms on what the mail path emits and on the account's SES reputation. */
  addAlarms(monitoring: Monitoring): void {
    const perCampaign = (metricName: string, campaignId: string) =>
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName,
        dimensionsMap: { campaignId },
        statistic: 'Sum',
        period: Duration.hours(1),
      });
    monitoring.alarm(
      'InvitationsBlocked',
      new Metric({
        namespace: METRICS_NAMESPACE,
        metricName: 'InvitationBlocked',
        dimensionsMap: { kind: 'invitation' },
        statistic: 'Sum',
        period: Duration.hours(1),
      }),
      1,
      'SES refused to send survey invitations for the account (access, sender identity, configuration set or paused ' +
        'sending): they stay due and each dispatch tries again; see the DispatchInvitations logs and fix the SES setup.',
    );
    for (const campaignId of CAMPAIGN_IDS) {
      monitoring.alarm(
        `SendFailures-${campaignId}`,
        perCampaign('AppreciationFailed', campaignId),
        1,
        `Appreciation emails of ${campaignId} failed to send: see the SendAppreciation logs.`,
      );
      monitoring.alarm(
        `TeamNotificationFailed-${campaignId}`,
        perCampaign('TeamNotificationFailed', campaignId),
        1,
        `The team was not told about a ${campaignId} email: see the SendAppreciation logs.`,
      );
      monitoring.alarm(
        `CampaignRunBlocked-${campaignId}`,
        perCampaign('CampaignRunBlocked', campaignId),
        1,
        `SES refused to send ${campaignId} emails for the account (access, sender identity, configuration set or paused sending): ` +
          'the run waits and retries hourly; see the SendAppreciation logs for the SES error and fix the SES setup.',
      );
      monitoring.alarm(
        `CampaignPageFailed-${campaignId}`,
        perCampaign('CampaignPageFailed', campaignId),
        1,
        `A page of a ${campaignId} run failed and was handed on: see the SendAppreciation logs.`,
      );
    }
    monitoring.alarm(
      'Bounces',
      new Metric({ namespace: METRICS_NAMESPACE, metricName: 'EmailBounced', statistic: 'Sum', period: Duration.hours(1) }),
      5,
      'Five or more appreciation emails bounced within an hour: check the customer addresses being imported.',
    );
    monitoring.alarm(
      'BounceRate',
      new Metric({ namespace: 'AWS/SES', metricName: 'Reputation.BounceRate', statistic: 'Maximum', period: Duration.hours(1) }),
      0.04,
      "The account's SES bounce rate reached 4 %; SES reviews accounts at 5 %.",
    );
    monitoring.alarm(
      'ComplaintRate',
      new Metric({
        namespace: 'AWS/SES',
        metricName: 'Reputation.ComplaintRate',
        statistic: 'Maximum',
        period: Duration.hours(1),
      }),
      0.0008,
      "The account's SES complaint rate reached 0.08 %; SES reviews accounts at 0.1 %.",
    );
  }

  /** Delivers SES bounce and complaint events to the function. */
  subscribe(fn: IFunction): void {
    this.emailEvents.addSubscription(new LambdaSubscription(fn));
  }
}
