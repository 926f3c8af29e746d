import { describe, expect, it } from 'vitest';
import { App, Validations } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { parseConfig } from '../../lib/config.ts';
import { FeedbackStack } from '../../lib/feedback-stack.ts';
import { FUNCTIONS, routesOf } from '../../lib/manifest.ts';
import { TABLE_SCHEMA } from '../../functions/data/table-schema.ts';
import { ENV } from '../../functions/runtime/env.ts';

/** Synthesises without bundling: these tests are about the template, and esbuild runs in `cdk synth`. */
function synth(withNag = false, env?: { account: string; region: string }) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new FeedbackStack(app, 'Test', { config: parseConfig({}), env });
  if (withNag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, template: Template.fromStack(stack) };
}

const { template } = synth();

describe('storage', () => {
  it('is an on-demand, encrypted table with PITR, TTL and a NEW_AND_OLD_IMAGES stream, kept on stack deletion', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
        StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
        DeletionProtectionEnabled: true,
        KeySchema: [
          { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
          { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
        ],
      }),
    });
  });

  it('has every index of the shared table schema', () => {
    const indexes = new Capture();
    template.hasResourceProperties('AWS::DynamoDB::Table', { GlobalSecondaryIndexes: indexes });
    const names = (indexes.asArray() as Array<{ IndexName: string }>).map((i) => i.IndexName);
    expect(names.sort()).toEqual(TABLE_SCHEMA.indexes.map((i) => i.indexName).sort());
  });
});

describe('functions', () => {
  it.each(FUNCTIONS.map((spec) => [spec.name, spec] as const))(
    '%s runs on Node.js 24, ARM64, with JSON logs and limits',
    (_name, spec) => {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        MemorySize: spec.memorySize ?? 256,
        Timeout: spec.timeoutSeconds ?? 10,
        LoggingConfig: Match.objectLike({ LogFormat: 'JSON' }),
        Environment: {
          Variables: Match.objectLike({
            NODE_OPTIONS: '--enable-source-maps',
            ...(spec.access.table ? { [ENV.tableName]: Match.anyValue() } : {}),
            ...(spec.access.adminToken ? { [ENV.adminTokenSecretArn]: Match.anyValue() } : {}),
            ...(spec.access.signingKeys ? { [ENV.signingKeysSecretArn]: Match.anyValue() } : {}),
          }),
        },
      });
    },
  );

  it('gives each function a log group with a set retention', () => {
    const groups = template.findResources('AWS::Logs::LogGroup', { Properties: { RetentionInDays: Match.anyValue() } });
    expect(Object.keys(groups).length).toBeGreaterThanOrEqual(FUNCTIONS.length + 1);
  });

  it('grants secrets only to functions that declare them', () => {
    const readers = FUNCTIONS.filter((f) => f.access.signingKeys).length;
    const policies = template.findResources('AWS::IAM::Policy', {
      Properties: {
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Action: Match.arrayWith(['secretsmanager:GetSecretValue']),
              Resource: { Ref: Match.stringLikeRegexp('SigningKeys') },
            }),
          ]),
        },
      },
    });
    expect(readers).toBeGreaterThan(0);
    expect(Object.keys(policies)).toHaveLength(readers);
  });

  it('uses no AWS managed policies', () => {
    const roles = template.findResources('AWS::IAM::Role');
    for (const role of Object.values(roles)) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });
});

describe('HTTP API', () => {
  it('has exactly the manifest routes', () => {
    const routeKeys = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties.RouteKey);
    expect(routeKeys.sort()).toEqual(
      routesOf()
        .map((r) => r.routeKey)
        .sort(),
    );
  });

  it('throttles the stage and writes JSON access logs', () => {
    const format = new Capture();
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: format },
    });
    expect(JSON.parse(format.asString())).toMatchObject({ status: '$context.status', routeKey: '$context.routeKey' });
  });

  it('outputs the API URL and the admin token secret', () => {
    template.hasOutput('ApiUrl', {});
    template.hasOutput('AdminTokenSecretArn', { Value: { Ref: Match.stringLikeRegexp('AdminToken') } });
  });
});

describe('cdk-nag', () => {
  it('finds nothing unacknowledged under AWS Solutions checks', () => {
    const { app } = synth(true);
    expect(() => app.synth()).not.toThrow();
  });

  it('finds nothing unacknowledged in a stack with an account and region, as `cdk synth` and `cdk deploy` make it', () => {
    const { app } = synth(true, { account: '123456789012', region: 'eu-west-1' });
    expect(() => app.synth()).not.toThrow();
  });
});
