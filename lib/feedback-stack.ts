import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { ENV } from '../functions/runtime/env.ts';
import { appreciationEnvironment } from './appreciation-env.ts';
import type { FeedbackConfig } from './config.ts';
import { AppreciationMail } from './constructs/appreciation-mail.ts';
import { DeadLetterQueue } from './constructs/dead-letter-queue.ts';
import { FeedbackApi } from './constructs/http-api.ts';
import { FeedbackFunction } from './constructs/feedback-function.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { ScheduledInvocations } from './constructs/scheduled-invocations.ts';
import { TableStreamConsumer } from './constructs/table-stream-consumer.ts';
import { Storage } from './constructs/storage.ts';
import { WebhookQueue } from './constructs/webhook-queue.ts';
import { DEFAULT_TIMEOUT_SECONDS, FUNCTIONS, type FunctionSpec } from './manifest.ts';

export interface FeedbackStackProps extends StackProps {
  config: FeedbackConfig;
  /** @default the manifest's functions */
  functions?: readonly FunctionSpec[];
}

/** The deployed service: one construct per capability, every function and route from the manifest. */
export class FeedbackStack extends Stack {
  readonly functions: ReadonlyMap<string, FeedbackFunction>;

  constructor(scope: Construct, id: string, props: FeedbackStackProps) {
    super(scope, id, props);
    const specs = props.functions ?? FUNCTIONS;
    const { table } = new Storage(this, 'Storage');

    const adminToken = new Secret(this, 'AdminToken', {
      description: 'Bearer token for the feedback admin API',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
    });
    // Link and unsubscribe tokens are signed with the key named by activeKid; add a key and switch activeKid to rotate.
    const signingKeys = new Secret(this, 'SigningKeys', {
      description: 'HMAC keys that sign survey and unsubscribe links',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ activeKid: 'k1' }),
        generateStringKey: 'k1',
        passwordLength: 64,
        excludePunctuation: true,
      },
      // Survey and unsubscribe links in customers' inboxes are signed with these keys: they outlive the stack, like the table.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const secret of [adminToken, signingKeys]) {
      Validations.of(secret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason: 'Rotated by hand (README: rotating secrets): the admin token is handed to people, keys rotate by key id.',
      });
    }

    const needs = (test: (spec: FunctionSpec) => boolean | undefined) => specs.some(test);
    const scorerDeadLetters = needs((s) => s.stream !== undefined || s.access.scorerDlq)
      ? new DeadLetterQueue(this, 'ScorerDeadLetters').queue
      : undefined;
    const mail = needs((s) => s.access.mailer || s.access.teamTopic || s.emailEvents)
      ? new AppreciationMail(this, 'AppreciationMail', {
          senderAddress: props.config.senderAddress,
          teamAddress: props.config.teamAddress,
        })
      : undefined;
    // Alarms notify the team topic whether or not `teamAddress` subscribes to it (README: Operating).
    const monitoring = mail && new Monitoring(this, 'Monitoring', { topic: mail.teamTopic });
    mail?.addAlarms(monitoring!);
    if (scorerDeadLetters)
      monitoring?.queueNotEmpty('ScorerDeadLetters', scorerDeadLetters, 'Stream records the scorer could not count');

    const deliverer = specs.find((s) => s.webhookDeliveries);
    const webhookQueue = needs((s) => Boolean(s.access.webhookQueue || s.webhookDeliveries))
      ? new WebhookQueue(this, 'Webhooks', {
          consumerTimeout: Duration.seconds(deliverer?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS),
          consumer: deliverer?.webhookDeliveries ?? { batchSize: 10, maxReceiveCount: 5 },
        })
      : undefined;
    if (webhookQueue) {
      monitoring?.queueNotEmpty('WebhookDeadLetters', webhookQueue.deadLetters, 'Webhook deliveries that failed for a day');
    }

    const functions = new Map<string, FeedbackFunction>();
    for (const spec of specs) {
      // Lambda retries an asynchronous event twice, then drops it: what still fails waits in a queue instead.
      const onFailure = isInvokedAsynchronously(spec) ? new DeadLetterQueue(this, `${spec.name}Failures`).queue : undefined;
      if (onFailure) monitoring?.queueNotEmpty(`${spec.name}Failures`, onFailure, `Events ${spec.name} failed to handle`);
      functions.set(
        spec.name,
        new FeedbackFunction(this, spec.name, {
          spec,
          table,
          adminToken,
          signingKeys,
          scorerDeadLetters,
          webhookQueue,
          onFailure,
          teamTopic: mail?.teamTopic,
          siteOrigins: props.config.allowedOrigins,
          brand: props.config.brand,
          surveyThrottleDays: props.config.surveyThrottleDays,
          scoreAlerts: props.config.alerts.scoreDrop,
          mail: mail && {
            senderAddress: mail.senderAddress,
            configurationSetName: mail.configurationSet.configurationSetName,
            environment: appreciationEnvironment(props.config),
          },
        }),
      );
    }
    this.functions = functions;

    for (const spec of specs) {
      const { fn } = functions.get(spec.name)!;
      monitoring?.functionErrors(spec.name, fn);
      if (spec.stream) {
        new TableStreamConsumer(this, `${spec.name}Stream`, {
          fn,
          table,
          consumer: spec.stream,
          deadLetterQueue: scorerDeadLetters!,
        });
        monitoring?.streamLag(spec.name, fn, Duration.minutes(5));
      }
      if (spec.emailEvents) mail!.subscribe(fn);
      if (spec.schedules?.length) {
        new ScheduledInvocations(this, `${spec.name}Schedules`, {
          fn,
          schedules: spec.schedules,
          crons: props.config.schedules,
          timeZone: props.config.timeZone,
          deadLetterQueue: functions.get(spec.name)!.onFailure!,
        });
      }
    }

    const api = new FeedbackApi(this, 'Http', {
      allowedOrigins: props.config.allowedOrigins,
      routes: specs.flatMap((spec) => (spec.routes ?? []).map((routeKey) => ({ routeKey, fn: functions.get(spec.name)!.fn }))),
    });
    monitoring?.apiServerErrors(api.api);

    // Links point at the configured domain; else API answers use the request's origin, and emails the API's URL.
    const emailsLinks = (spec: FunctionSpec) => spec.access.mailer || spec.access.teamTopic || spec.access.scoreAlerts;
    for (const spec of specs.filter((s) => s.access.signingKeys || emailsLinks(s))) {
      const base = props.config.publicBaseUrl ?? (emailsLinks(spec) ? api.api.apiEndpoint : undefined);
      if (base) functions.get(spec.name)!.fn.addEnvironment(ENV.publicBaseUrl, base);
    }

    new CfnOutput(this, 'ApiUrl', { value: api.url, description: 'Base URL of the feedback API' });
    new CfnOutput(this, 'AdminTokenSecretArn', {
      value: adminToken.secretArn,
      description: 'Secrets Manager secret holding the admin bearer token',
    });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    if (mail) {
      // What `npm run smoke` sends through: the From address and the configuration set that reports bounces.
      new CfnOutput(this, 'SenderAddress', { value: mail.senderAddress });
      new CfnOutput(this, 'SesConfigurationSetName', { value: mail.configurationSet.configurationSetName });
    }
  }
}

/** Schedules, SNS and a function's own continuations invoke it asynchronously: Lambda retries, then drops. */
export const isInvokedAsynchronously = (spec: FunctionSpec): boolean =>
  Boolean(spec.schedules?.length || spec.emailEvents || spec.access.invokeSelf);
