import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack, Token, Validations, type CfnResource } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Brand } from '../../functions/core/brand.ts';
import { formatOrigins } from '../../functions/core/origins.ts';
import { ENV } from '../../functions/runtime/env.ts';
import { ESM_REQUIRE_BANNER, externalModulesOf, NODE_TARGET } from '../bundling.ts';
import { DEFAULT_MEMORY_MB, DEFAULT_TIMEOUT_SECONDS, type FunctionSpec } from '../manifest.ts';
import { INDEX_OPERATIONS, type TableOperation } from '../table-access.ts';
import type { WebhookQueue } from './webhook-queue.ts';

const PROJECT_ROOT = join(import.meta.dirname, '..', '..');

/** What mailer functions send with. */
export interface MailResources {
  /** The one From address the function may send as. */
  senderAddress: string;
  configurationSetName: string;
  /** The appreciation settings as env vars. */
  environment: Record<string, string>;
}

export interface FeedbackFunctionProps {
  spec: FunctionSpec;
  table: ITable;
  adminToken: ISecret;
  signingKeys: ISecret;
  /** Required when the spec's access has `scorerDlq`. */
  scorerDeadLetters?: IQueue;
  /** Where asynchronous events go after Lambda's two retries fail; required for functions invoked asynchronously. */
  onFailure?: IQueue;
  /** Required when the spec's access has `webhookQueue` or the spec has `webhookDeliveries`. */
  webhookQueue?: WebhookQueue;
  /** Required when the spec's access has `mailer`. */
  mail?: MailResources;
  /** Required when the spec's access has `teamTopic`. */
  teamTopic?: ITopic;
  /** Config `surveyThrottleDays`; required when the spec's access has `contactRules`. */
  surveyThrottleDays?: number;
  /** Config `alerts.scoreDrop`; required when the spec's access has `scoreAlerts`. */
  scoreAlerts?: { interval: string; minResponses: number };
  /** Config `allowedOrigins`, for a spec whose access has `siteOrigins`. @default none */
  siteOrigins?: readonly string[];
  /** Config `brand`, for a spec whose access has `brand`. @default none (the functions' default brand) */
  brand?: Brand;
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
  /** The on-failure queue of asynchronous invocations, when the function has one. */
  readonly onFailure?: IQueue;

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
      memorySize: spec.memorySize ?? DEFAULT_MEMORY_MB,
      timeout: Duration.seconds(spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'feedback',
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: NODE_TARGET,
        minify: true,
        sourceMap: true,
        banner: ESM_REQUIRE_BANNER,
        // The runtime's SDK, but mailers carry their own SES client (lib/bundling.ts says why).
        externalModules: externalModulesOf(spec),
      },
    });

    if (props.onFailure) {
      this.onFailure = props.onFailure;
      this.fn.configureAsyncInvoke({
        onFailure: new SqsDestination(props.onFailure),
        retryAttempts: 2,
        maxEventAge: Duration.hours(6),
      });
    }
    if (access.table?.length) {
      this.fn.addEnvironment(ENV.tableName, props.table.tableName);
      for (const statement of tableStatements(props.table, access.table)) role.addToPrincipalPolicy(statement);
      if (access.table.some((operation) => INDEX_OPERATIONS.includes(operation))) {
        const tableId = Stack.of(this).getLogicalId(props.table.node.defaultChild as CfnResource);
        Validations.of(role).acknowledge({
          id: `AwsSolutions-IAM5[Resource::<${tableId}.Arn>/index/*]`,
          reason: "Query on the table's own secondary indexes (listings, timeline, campaign selections): nothing else there.",
        });
      }
    }
    if (access.siteOrigins && props.siteOrigins?.length) {
      this.fn.addEnvironment(ENV.siteOrigins, formatOrigins(props.siteOrigins));
    }
    if (access.brand && props.brand) this.fn.addEnvironment(ENV.brand, JSON.stringify(props.brand));
    if (access.contactRules) {
      this.fn.addEnvironment(ENV.surveyThrottleDays, String(required(props.surveyThrottleDays, 'surveyThrottleDays', spec)));
    }
    if (access.scoreAlerts) {
      const settings = required(props.scoreAlerts, 'scoreAlerts', spec);
      this.fn.addEnvironment(ENV.scoreDropInterval, settings.interval);
      this.fn.addEnvironment(ENV.scoreDropMinResponses, String(settings.minResponses));
    }
    if (access.adminToken) {
      this.fn.addEnvironment(ENV.adminTokenSecretArn, props.adminToken.secretArn);
      props.adminToken.grantRead(this.fn);
    }
    if (access.signingKeys) {
      this.fn.addEnvironment(ENV.signingKeysSecretArn, props.signingKeys.secretArn);
      props.signingKeys.grantRead(this.fn);
    }
    if (access.scorerDlq) {
      const queue = required(props.scorerDeadLetters, 'scorerDeadLetters', spec);
      this.fn.addEnvironment(ENV.scorerDlqUrl, queue.queueUrl);
      queue.grantSendMessages(this.fn);
    }
    if (access.webhookQueue) required(props.webhookQueue, 'webhookQueue', spec).grantPublish(this.fn);
    if (spec.webhookDeliveries) {
      required(props.webhookQueue, 'webhookQueue', spec).addConsumer(this.fn, spec.webhookDeliveries);
    }
    if (access.mailer) {
      const mail = required(props.mail, 'mail', spec);
      for (const [name, value] of Object.entries(mail.environment)) this.fn.addEnvironment(name, value);
      this.fn.addEnvironment(ENV.sesConfigurationSet, mail.configurationSetName);
      const configurationSetArn = Stack.of(this).formatArn({
        service: 'ses',
        resource: 'configuration-set',
        resourceName: mail.configurationSetName,
      });
      // SES authorises a send against every identity involved: the sender's address or any parent domain the team
      // verified, and in the sandbox the verified recipient too. So any identity of the account, but only from our address.
      const stack = Stack.of(this);
      role.addToPolicy(
        new PolicyStatement({
          actions: ['ses:SendEmail'],
          resources: [stack.formatArn({ service: 'ses', resource: 'identity', resourceName: '*' }), configurationSetArn],
          conditions: { StringEquals: { 'ses:FromAddress': mail.senderAddress } },
        }),
      );
      // cdk-nag names the resource as synthesized: tokens as <AWS::…>, an environment's account and region literally.
      const part = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
      Validations.of(role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:${part(stack.partition, 'Partition')}:ses:${part(stack.region, 'Region')}:${part(stack.account, 'AccountId')}:identity/*]`,
        reason:
          'SES checks the sending identity (address or parent domain) and, in the sandbox, the recipient: only with our From address.',
      });
    }
    if (access.teamTopic) {
      const topic = required(props.teamTopic, 'teamTopic', spec);
      this.fn.addEnvironment(ENV.teamTopicArn, topic.topicArn);
      topic.grantPublish(this.fn);
      Validations.of(role).acknowledge({
        id: 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
        reason: "Publishing to the encrypted team topic needs data keys, and only of that topic's own key.",
      });
    }
    if (access.invokeSelf) {
      // A policy of its own: in the role's default policy, the function's ARN would make a dependency cycle.
      new Policy(this, 'InvokeSelf', {
        roles: [role],
        statements: [new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] })],
      });
    }
  }
}

/**
 * Exactly the declared operations on the table, and the index operations (Query) on its indexes: not CDK's
 * grantReadData/grantReadWriteData, which add Scan and every other read or write action on the table and every index.
 * The table's key is AWS managed (Storage), so no KMS grant. The local runner enforces no IAM: only
 * `test/infra/table-access.test.ts` proves these lists match the code.
 */
function tableStatements(table: ITable, operations: readonly TableOperation[]): PolicyStatement[] {
  const actions = (ops: readonly TableOperation[]) => [...new Set(ops)].map((operation) => `dynamodb:${operation}`);
  const indexOperations = operations.filter((operation) => INDEX_OPERATIONS.includes(operation));
  return [
    new PolicyStatement({ actions: actions(operations), resources: [table.tableArn] }),
    ...(indexOperations.length
      ? [new PolicyStatement({ actions: actions(indexOperations), resources: [`${table.tableArn}/index/*`] })]
      : []),
  ];
}

function required<T>(resource: T | undefined, name: string, spec: FunctionSpec): T {
  if (resource === undefined) throw new Error(`Function ${spec.name} needs the ${name} resource for its access.`);
  return resource;
}
