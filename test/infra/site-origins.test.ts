import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config.ts';
import { FeedbackStack } from '../../lib/feedback-stack.ts';
import { FUNCTIONS, type FunctionSpec } from '../../lib/manifest.ts';
import { ENV } from '../../functions/runtime/env.ts';

/** Config `allowedOrigins` reaches the functions that declare `siteOrigins` (the survey page's framing), and no other. */
function siteOriginsByFunction(config: Record<string, unknown>, functions: readonly FunctionSpec[] = FUNCTIONS) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const template = Template.fromStack(new FeedbackStack(app, 'Test', { config: parseConfig(config), functions }));
  return Object.fromEntries(
    Object.entries(template.findResources('AWS::Lambda::Function'))
      .map(([id, fn]) => [
        functions.find((spec) => id.startsWith(`${spec.name}Function`))?.name,
        (fn.Properties.Environment?.Variables as Record<string, unknown> | undefined)?.[ENV.siteOrigins],
      ])
      .filter(([name]) => name !== undefined),
  );
}

describe('SITE_ORIGINS', () => {
  it('carries the configured origins to exactly the functions that declare siteOrigins', () => {
    const origins = ['https://shop.example', 'https://www.shop.example'];
    const byFunction = siteOriginsByFunction({ allowedOrigins: origins });
    const declaring = FUNCTIONS.filter((spec) => spec.access.siteOrigins).map((spec) => spec.name);
    expect(declaring).toEqual(['Pages']);
    expect(Object.keys(byFunction).sort()).toEqual(FUNCTIONS.map((spec) => spec.name).sort());
    for (const [name, value] of Object.entries(byFunction)) {
      expect({ name, value }).toEqual({ name, value: declaring.includes(name) ? origins.join(' ') : undefined });
    }
  }, 120_000);

  it('is not set when no origins are configured: the survey page is framed by none', () => {
    const pages = FUNCTIONS.filter((spec) => spec.name === 'Pages');
    expect(siteOriginsByFunction({}, pages)).toEqual({ Pages: undefined });
  }, 60_000);
});
