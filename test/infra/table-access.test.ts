import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config.ts';
import { FeedbackStack } from '../../lib/feedback-stack.ts';
import { FUNCTIONS, type FunctionSpec } from '../../lib/manifest.ts';
import { deriveTableOperations, INDEX_OPERATIONS } from '../../lib/table-access.ts';

/**
 * Least privilege on the table, in two halves: each function's declared operations are exactly what its bundle
 * performs (derived from the code), and its role is granted exactly those (from the template).
 */
describe('the declared table operations', () => {
  it.each(FUNCTIONS.map((spec) => [spec.name, spec] as const))(
    'of %s are exactly those its bundle performs',
    async (_name, spec) => {
      const derived = await deriveTableOperations(spec);
      expect(derived).not.toContain('Scan');
      expect(derived).toEqual([...(spec.access.table ?? [])].sort());
    },
    60_000,
  );

  it('would be seen if code scanned: the scores script does, through the toolkit helper', async () => {
    expect(await deriveTableOperations({ entry: 'scripts/scores.ts', access: {} })).toContain('Scan');
  }, 60_000);
});

/** Synthesised with cdk.json's feature flags (policy minimisation merges statements), without bundling. */
function synth() {
  const { context } = JSON.parse(readFileSync('cdk.json', 'utf8')) as { context: Record<string, unknown> };
  const flags = Object.fromEntries(Object.entries(context).filter(([key]) => key.startsWith('@aws-cdk/')));
  const app = new App({ context: { ...flags, 'aws:cdk:bundling-stacks': [] } });
  return Template.fromStack(new FeedbackStack(app, 'Test', { config: parseConfig({}) }));
}

const template = synth();
const tableId = Object.keys(template.findResources('AWS::DynamoDB::Table'))[0]!;

type Statement = { Effect: string; Action: string | string[]; Resource: unknown };
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Where a resource of a statement points: the table, its indexes, its stream, anything, or something else. */
function place(resource: unknown): string {
  const json = JSON.stringify(resource);
  if (json === JSON.stringify({ 'Fn::GetAtt': [tableId, 'Arn'] })) return 'table';
  if (json === JSON.stringify({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/*']] })) return 'index/*';
  if (json === JSON.stringify({ 'Fn::GetAtt': [tableId, 'StreamArn'] })) return 'stream';
  return resource === '*' ? '*' : json;
}

/** Every `dynamodb:` action the function's role is allowed, as `action on place`. */
function tableGrantsOf(spec: FunctionSpec): string[] {
  const [fn] = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
    id.startsWith(`${spec.name}Function`),
  );
  const roleId = (fn![1].Properties.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const grants = new Set<string>();
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    if (!JSON.stringify(policy.Properties.Roles).includes(JSON.stringify({ Ref: roleId }))) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement as Statement[]) {
      expect(statement.Effect).toBe('Allow');
      for (const action of asList(statement.Action).filter((a) => a.startsWith('dynamodb:'))) {
        for (const resource of asList(statement.Resource)) grants.add(`${action} on ${place(resource)}`);
      }
    }
  }
  return [...grants].sort();
}

/** What the event source mapping needs to read the stream (CDK grants it with the mapping). */
const STREAM_GRANTS = ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'].map(
  (a) => `${a} on stream`,
);

describe('the table grants', () => {
  it.each(FUNCTIONS.map((spec) => [spec.name, spec] as const))(
    'of %s are its declared operations on the table, Query also on the indexes, and nothing else',
    (_name, spec) => {
      const operations = spec.access.table ?? [];
      const expected = [
        ...operations.map((operation) => `dynamodb:${operation} on table`),
        ...operations
          .filter((operation) => INDEX_OPERATIONS.includes(operation))
          .map((operation) => `dynamodb:${operation} on index/*`),
        ...(spec.stream ? [...STREAM_GRANTS, 'dynamodb:ListStreams on *'] : []),
      ];
      expect(tableGrantsOf(spec)).toEqual(expected.sort());
    },
  );

  it('never allow a Scan, a wildcard action or a table-wide grant', () => {
    const policies = JSON.stringify(template.findResources('AWS::IAM::Policy'));
    expect(policies).not.toMatch(/dynamodb:Scan|dynamodb:\*|dynamodb:[A-Za-z]*\*/);
  });
});
