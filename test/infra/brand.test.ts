import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config.ts';
import { FeedbackStack } from '../../lib/feedback-stack.ts';
import { FUNCTIONS } from '../../lib/manifest.ts';
import { ENV } from '../../functions/runtime/env.ts';

/** Config `brand` reaches the functions that declare `brand` (the survey page), as JSON, and no other. */
describe('BRAND', () => {
  it('carries the configured brand to exactly the functions that declare it', () => {
    const brand = { name: 'Acme', logoUrl: 'https://cdn.acme.example/logo.png', color: '#e65100' };
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const template = Template.fromStack(new FeedbackStack(app, 'Test', { config: parseConfig({ brand }) }));
    const byFunction = Object.fromEntries(
      Object.entries(template.findResources('AWS::Lambda::Function'))
        .map(([id, fn]) => [
          FUNCTIONS.find((spec) => id.startsWith(`${spec.name}Function`))?.name,
          (fn.Properties.Environment?.Variables as Record<string, unknown> | undefined)?.[ENV.brand],
        ])
        .filter(([name]) => name !== undefined),
    );
    const declaring = FUNCTIONS.filter((spec) => spec.access.brand).map((spec) => spec.name);
    expect(declaring).toContain('Pages');
    for (const [name, value] of Object.entries(byFunction)) {
      expect({ name, value }).toEqual({ name, value: declaring.includes(name) ? JSON.stringify(brand) : undefined });
    }
  }, 120_000);
});
