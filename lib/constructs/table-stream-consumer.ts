import { Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { FilterCriteria, StartingPosition, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { StreamConsumer } from '../manifest.ts';

export interface TableStreamConsumerProps {
  fn: IFunction;
  table: ITable;
  /** The manifest's settings, the same ones the local poller honours. */
  consumer: StreamConsumer;
  /** Where batches that exhausted their retries are recorded. */
  deadLetterQueue: IQueue;
}

/**
 * A function on the table's stream: Lambda's event source mapping with partial batch failures, bisection, bounded
 * retries and age, and an on-failure destination for batches that could not be processed.
 */
export class TableStreamConsumer extends Construct {
  constructor(scope: Construct, id: string, props: TableStreamConsumerProps) {
    super(scope, id);
    const { consumer } = props;
    props.fn.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: consumer.batchSize,
        maxBatchingWindow: Duration.seconds(consumer.maxBatchingWindowSeconds),
        bisectBatchOnError: consumer.bisectBatchOnError,
        retryAttempts: consumer.retryAttempts,
        maxRecordAge: Duration.seconds(consumer.maxRecordAgeSeconds),
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(props.deadLetterQueue),
        filters: consumer.filterPatterns?.map((pattern) => FilterCriteria.filter(pattern)),
      }),
    );
    if (props.fn.role) {
      Validations.of(props.fn.role).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason: 'The event source mapping needs dynamodb:ListStreams, which has no resource-level permissions.',
      });
    }
  }
}
