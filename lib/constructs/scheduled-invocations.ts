import { Stack, TimeZone, Validations, type CfnResource } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Schedule, ScheduleExpression, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Construct } from 'constructs';
import type { ScheduleSpec } from '../manifest.ts';
import { cronProblem } from '../schedule-expression.ts';

export interface ScheduledInvocationsProps {
  fn: IFunction;
  schedules: readonly ScheduleSpec[];
  /** Cron expression per schedule id (config `schedules`), for schedules without a fixed `cron`. */
  crons: Readonly<Record<string, string>>;
  /** IANA time zone the crons are read in. */
  timeZone: string;
  /** Where an invocation goes when the scheduler cannot deliver it after its retries. */
  deadLetterQueue: IQueue;
}

/** One EventBridge Scheduler schedule per manifest schedule, in the configured time zone, with a role of its own. */
export class ScheduledInvocations extends Construct {
  constructor(scope: Construct, id: string, props: ScheduledInvocationsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    props.fn.grantInvoke(role);
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(props.fn.node.defaultChild as CfnResource)}.Arn>:*]`,
      reason: 'The schedules invoke this one function; the wildcard covers its versions and aliases only.',
    });
    for (const spec of props.schedules) {
      const cron = spec.cron ?? props.crons[spec.id];
      if (!cron) throw new Error(`No cron for schedule "${spec.id}": set feedback.schedules["${spec.id}"] in cdk.json.`);
      const problem = cronProblem(cron);
      if (problem) throw new Error(`Schedule "${spec.id}": ${cron} would not deploy: ${problem}`);
      new Schedule(this, spec.id, {
        description: `Runs ${spec.id}`,
        schedule: ScheduleExpression.expression(cron, TimeZone.of(props.timeZone)),
        target: new LambdaInvoke(props.fn, {
          role,
          input: ScheduleTargetInput.fromObject(spec.input),
          retryAttempts: 2,
          deadLetterQueue: props.deadLetterQueue,
        }),
      });
    }
  }
}
