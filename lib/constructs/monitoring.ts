import { Duration } from 'aws-cdk-lib';
import type { IHttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, Metric, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface MonitoringProps {
  /** Where every alarm notifies (the team topic; its policy must let CloudWatch publish). */
  topic: ITopic;
}

/** The alarms a team needs to run the service, each notifying the team topic when it fires. */
export class Monitoring extends Construct {
  private readonly action: SnsAction;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.action = new SnsAction(props.topic);
  }

  /** An alarm at or above `threshold` in one period; no data is not a breach. */
  alarm(id: string, metric: IMetric, threshold: number, description: string): Alarm {
    const alarm = new Alarm(this, id, {
      metric,
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
      alarmDescription: description,
    });
    alarm.addAlarmAction(this.action);
    return alarm;
  }

  /** Any error of a function: an async event that failed, a stream batch that threw, a crash. */
  functionErrors(name: string, fn: IFunction): Alarm {
    return this.alarm(
      `${name}Errors`,
      fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      1,
      `${name} failed (Lambda Errors ≥ 1 in 5 minutes): see its log group.`,
    );
  }

  /** Anything waiting in a dead-letter or on-failure queue needs a person: look, fix, redrive (README: Operating). */
  queueNotEmpty(name: string, queue: IQueue, what: string): Alarm {
    return this.alarm(
      `${name}NotEmpty`,
      queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      1,
      `${what} are waiting in ${name}: inspect them, fix the cause and redrive (README: Operating).`,
    );
  }

  /** A stream consumer falling behind: scores stop moving within seconds. */
  streamLag(name: string, fn: IFunction, maxAge: Duration): Alarm {
    return this.alarm(
      `${name}IteratorAge`,
      new Metric({
        namespace: 'AWS/Lambda',
        metricName: 'IteratorAge',
        dimensionsMap: { FunctionName: fn.functionName },
        statistic: 'Maximum',
        period: Duration.minutes(5),
      }),
      maxAge.toMilliseconds(),
      `${name} is more than ${maxAge.toHumanString()} behind the table's stream: scores lag.`,
    );
  }

  /** Server errors of the API: the contract allows none. */
  apiServerErrors(api: IHttpApi): Alarm {
    return this.alarm(
      'Api5xx',
      api.metricServerError({ period: Duration.minutes(5), statistic: 'Sum' }),
      1,
      'The API answered 5xx: see the functions’ logs (the access log names the route).',
    );
  }
}
