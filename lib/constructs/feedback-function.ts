import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Validations, type CfnResource } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ENV } from '../../functions/runtime/env.ts';
import { ESM_REQUIRE_BANNER, EXTERNAL_MODULES, NODE_TARGET } from '../bundling.ts';
import type { FunctionSpec } from '../manifest.ts';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

export interface FeedbackFunctionProps {
  spec: FunctionSpec;
  table: ITable;
  adminToken: ISecret;
  signingKeys: ISecret;
  /** Further env vars (settings from the config). */
  environment?: Record<string, string>;
  /** @default one month */
  logRetention?: RetentionDays;
}

/**
 * A function of the manifest with the project's defaults (Node.js 24, ARM64, minified ESM with source maps, JSON
 * logs in its own log group, explicit memory and timeout). It owns its grants: the env var naming a resource and
 * the permission to use it are set together from the spec's `access`, so they cannot drift.
 */
export class FeedbackFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: FeedbackFunctionProps) {
    super(scope, id);
    const { spec } = props;
    const { access } = spec;
    const logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own role, allowed to write to its own log group only (not the account-wide managed policy).
    const role = new Role(this, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);
    this.fn = new NodejsFunction(this, 'Function', {
      role,
      entry: join(PROJECT_ROOT, spec.entry),
      handler: 'handler',
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memorySize ?? 256,
      timeout: Duration.seconds(spec.timeoutSeconds ?? 10),
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'feedback',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: NODE_TARGET,
        minify: true,
        sourceMap: true,
        banner: ESM_REQUIRE_BANNER,
        externalModules: EXTERNAL_MODULES,
      },
    });

    if (access.table) {
      this.fn.addEnvironment(ENV.tableName, props.table.tableName);
      if (access.table === 'readWrite') props.table.grantReadWriteData(this.fn);
      else props.table.grantReadData(this.fn);
      const tableId = Stack.of(this).getLogicalId(props.table.node.defaultChild as CfnResource);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
        reason: "The table's own secondary indexes (listings, timeline, campaign selections): the single-table design queries them.",
      });
    }
    if (access.adminToken) {
      this.fn.addEnvironment(ENV.adminTokenSecretArn, props.adminToken.secretArn);
      props.adminToken.grantRead(this.fn);
    }
    if (access.signingKeys) {
      this.fn.addEnvironment(ENV.signingKeysSecretArn, props.signingKeys.secretArn);
      props.signingKeys.grantRead(this.fn);
    }
  }
}
