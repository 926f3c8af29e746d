import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CORS } from '../cors.ts';

export interface FeedbackApiProps {
  /** Route key (`METHOD /path` or `$default`) → the function serving it. */
  routes: ReadonlyArray<{ routeKey: string; fn: IFunction }>;
  /** Origins whose pages may submit responses from the browser (CORS). @default none */
  allowedOrigins?: readonly string[];
  /** Steady-state requests per second for the whole API. @default 100 */
  rateLimit?: number;
  /** @default 200 */
  burstLimit?: number;
}

/**
 * The HTTP API: routes from the manifest, stage throttling and JSON access logs. Admin auth happens in the
 * functions, not in an authorizer: HTTP APIs cannot shape an authorizer's error body, and the contract's 401 needs one.
 */
export class FeedbackApi extends Construct {
  readonly api: HttpApi;
  readonly url: string;

  constructor(scope: Construct, id: string, props: FeedbackApiProps) {
    super(scope, id);
    const integrations = new Map<IFunction, HttpLambdaIntegration>();
    const integrationFor = (fn: IFunction) => {
      if (!integrations.has(fn)) integrations.set(fn, new HttpLambdaIntegration(`${fn.node.id}Integration`, fn));
      return integrations.get(fn)!;
    };
    const fallback = props.routes.find((r) => r.routeKey === '$default');
    const allowOrigins = [...(props.allowedOrigins ?? [])];
    this.api = new HttpApi(this, 'Api', {
      createDefaultStage: false,
      defaultIntegration: fallback && integrationFor(fallback.fn),
      // API Gateway answers the preflights itself; the same policy as the local server's (lib/cors.ts).
      corsPreflight: allowOrigins.length
        ? {
            allowOrigins,
            allowMethods: CORS.allowMethods.map((m) => CorsHttpMethod[m]),
            allowHeaders: [...CORS.allowHeaders],
            exposeHeaders: [...CORS.exposeHeaders],
            maxAge: Duration.seconds(CORS.maxAgeSeconds),
          }
        : undefined,
    });

    for (const { routeKey, fn } of props.routes) {
      if (routeKey === '$default') continue;
      const [method, path] = routeKey.split(' ') as [keyof typeof HttpMethod, string];
      if (!(method in HttpMethod)) throw new Error(`Unknown method in route "${routeKey}".`);
      this.api.addRoutes({ path, methods: [HttpMethod[method]], integration: integrationFor(fn) });
    }

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Admin routes check the bearer token in the function (constant time, token in Secrets Manager) so a wrong token gets ' +
        "the contract's 401 body, which HTTP API authorizers cannot shape; response and page routes are public by design.",
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit ?? 100, burstLimit: props.burstLimit ?? 200 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.url = stage.url;
  }
}
