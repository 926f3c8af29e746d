import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_SCHEMA } from '../../functions/data/table-schema.ts';

export interface StorageProps {
  /** @default RETAIN: feedback history outlives the stack */
  removalPolicy?: RemovalPolicy;
}

/** The single table, built from the same schema as the local one: on demand, PITR, encrypted, TTL, stream. */
export class Storage extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const s = TABLE_SCHEMA;
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.table = new Table(this, 'Table', {
      partitionKey: { name: s.partitionKey, type: AttributeType.STRING },
      sortKey: { name: s.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      timeToLiveAttribute: s.timeToLiveAttribute,
      stream: StreamViewType.NEW_AND_OLD_IMAGES,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    for (const index of s.indexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
        projectionType: ProjectionType.ALL,
      });
    }
  }
}
