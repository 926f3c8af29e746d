import { describe, expect, it } from 'vitest';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { parseConfig } from '../../lib/config.ts';
import { FeedbackStack } from '../../lib/feedback-stack.ts';
import { FUNCTIONS } from '../../lib/manifest.ts';
import { ENV } from '../../functions/runtime/env.ts';

/** Functions that apply the invitations' contact rules get config `surveyThrottleDays`; the others do not. */
describe('the contact rules’ settings', () => {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new FeedbackStack(app, 'Test', { config: parseConfig({ surveyThrottleDays: 14 }) });
  const functions = Object.entries(Template.fromStack(stack).findResources('AWS::Lambda::Function'));
  const throttleOf = (name: string) => {
    const [, fn] = functions.find(([id]) => id.startsWith(`${name}Function`))!;
    return (fn.Properties.Environment?.Variables as Record<string, unknown> | undefined)?.[ENV.surveyThrottleDays];
  };

  it.each(FUNCTIONS.map((spec) => [spec.name, spec.access.contactRules === true] as const))(
    '%s: SURVEY_THROTTLE_DAYS set from the config: %s',
    (name, applies) => {
      expect(throttleOf(name)).toBe(applies ? '14' : undefined);
    },
  );

  it('reach the function that takes events and manual invitations', () => {
    expect(throttleOf('InviteCustomers')).toBe('14');
  });
});
