import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/runtime/env.ts';
import type { WebhookQueueConsumer } from '../manifest.ts';
import { DeadLetterQueue } from './dead-letter-queue.ts';

export interface WebhookQueueProps {
  /** The deliverer's timeout: a received message stays hidden six times as long (AWS's advice for SQS event sources). */
  consumerTimeout: Duration;
  /** The manifest's batch size and receive count. */
  consumer: WebhookQueueConsumer;
}

/**
 * Webhook deliveries waiting for their attempt: an encrypted, TLS-only queue whose messages (one per attempt, with a
 * timer for the retry's wait) feed the deliverer, and a dead-letter queue that keeps for 14 days the deliveries that
 * failed every attempt (the deliverer sends them) and messages that failed to be handled `maxReceiveCount` times.
 */
export class WebhookQueue extends Construct {
  readonly queue: Queue;
  readonly deadLetters: Queue;

  constructor(scope: Construct, id: string, props: WebhookQueueProps) {
    super(scope, id);
    this.deadLetters = new DeadLetterQueue(this, 'DeadLetters').queue;
    this.queue = new Queue(this, 'Queue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(props.consumerTimeout.toSeconds() * 6),
      // A message waits at most 15 minutes (one timer hop), so a day covers any outage of the deliverer itself.
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: this.deadLetters, maxReceiveCount: props.consumer.maxReceiveCount },
    });
  }

  /** Publishers: the queue's URL and SendMessage on it. */
  grantPublish(fn: IFunction & { addEnvironment(key: string, value: string): unknown }): void {
    fn.addEnvironment(ENV.webhookQueueUrl, this.queue.queueUrl);
    this.queue.grantSendMessages(fn);
  }

  /** The deliverer: fed by the queue, one failed message at a time reported back, and the dead letters to send to. */
  addConsumer(fn: IFunction & { addEnvironment(key: string, value: string): unknown }, consumer: WebhookQueueConsumer): void {
    fn.addEventSource(new SqsEventSource(this.queue, { batchSize: consumer.batchSize, reportBatchItemFailures: true }));
    fn.addEnvironment(ENV.webhookDeadLettersUrl, this.deadLetters.queueUrl);
    this.deadLetters.grantSendMessages(fn);
  }
}
