import { Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CORS_ALLOWED_HEADERS, type RouteDefinition, type RouteThrottle } from '../../lambdas/routes';
import type { CustomDomainProps } from '../guichet-config';
import { routeKey } from '../naming';

/**
 * Request facts only: never the query string or headers, which carry codes, tokens and cookies.
 */
const ACCESS_LOG_FORMAT = AccessLogFormat.custom(
  JSON.stringify({
    requestId: '$context.requestId',
    requestTime: '$context.requestTime',
    ip: '$context.identity.sourceIp',
    method: '$context.httpMethod',
    routeKey: '$context.routeKey',
    status: '$context.status',
    responseLength: '$context.responseLength',
    latency: '$context.responseLatency',
    integrationLatency: '$context.integrationLatency',
    integrationErrorMessage: '$context.integrationErrorMessage',
  }),
);

export interface GuichetApiProps {
  readonly logRetention: logs.RetentionDays;
  /** Exact origins allowed to call the API from a browser, with credentials; none: same-origin only. */
  readonly corsOrigins?: readonly string[];
  readonly customDomain?: CustomDomainProps;
  /** Stage throttling of every route `addRoute` gives no throttle of its own. */
  readonly defaultThrottle: RouteThrottle;
}

export interface RouteAuthorization {
  readonly authorizer: apigwv2.IHttpRouteAuthorizer;
  /** A token must carry at least one of these. */
  readonly authorizationScopes?: readonly string[];
}

/** Browsers cache a preflight this long (Chromium caps it at 2 h): an origin removed stops working within the hour. */
export const CORS_MAX_AGE = Duration.hours(1);

/**
 * The HTTP API: CORS with credentials for the configured origins only (API Gateway answers their preflights and
 * adds the headers; any other origin gets none), access logs, route metrics, and stage throttling per route.
 */
export class GuichetApi extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly accessLogs: logs.LogGroup;
  /** Base URL clients and the IdP use: the custom domain when there is one. */
  readonly publicUrl: string;
  /** By route id. */
  readonly routes: Record<string, apigwv2.HttpRoute> = {};
  /** The stage's `RouteSettings`, by route key: raw CloudFormation, which the L2 stage does not model. */
  private readonly routeSettings: Record<string, unknown> = {};

  constructor(scope: Construct, id: string, props: GuichetApiProps) {
    super(scope, id);

    // The stage is declared here rather than by `createDefaultStage`, which cannot take access log settings.
    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      createDefaultStage: false,
      // Behind a custom domain, the execute-api address would bypass whatever guards the domain (WAF, CloudFront)
      // and show the per-address budgets the edge's addresses instead of the callers'.
      disableExecuteApiEndpoint: props.customDomain !== undefined,
      corsPreflight: props.corsOrigins?.length
        ? {
            allowOrigins: [...props.corsOrigins],
            allowCredentials: true,
            allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST],
            allowHeaders: [...CORS_ALLOWED_HEADERS],
            // A polling add-in on another origin must read how long a 429 or 503 asks it to wait.
            exposeHeaders: ['Retry-After'],
            maxAge: CORS_MAX_AGE,
          }
        : undefined,
    });
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const domainName = props.customDomain && this.createDomainName(props.customDomain);
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      detailedMetricsEnabled: true,
      throttle: props.defaultThrottle,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogs),
        format: ACCESS_LOG_FORMAT,
      },
      domainMapping: domainName && { domainName },
    });
    (this.stage.node.defaultChild as apigwv2.CfnStage).routeSettings = Lazy.any({
      produce: () => (Object.keys(this.routeSettings).length > 0 ? this.routeSettings : undefined),
    });
    this.publicUrl = props.customDomain ? `https://${props.customDomain.domainName}` : this.httpApi.apiEndpoint;
  }

  /**
   * Routes `METHOD path` to the handler, throttled as given or else as the stage's default, open to anyone unless an
   * authorizer is given; one call per route.
   */
  addRoute(
    route: RouteDefinition,
    handler: lambda.IFunction,
    throttle?: RouteThrottle,
    authorization?: RouteAuthorization,
  ): apigwv2.HttpRoute {
    const [httpRoute] = this.httpApi.addRoutes({
      path: route.path,
      methods: [apigwv2.HttpMethod[route.method]],
      integration: new HttpLambdaIntegration(`${route.id}Integration`, handler),
      authorizer: authorization?.authorizer,
      authorizationScopes: authorization?.authorizationScopes && [...authorization.authorizationScopes],
    });
    this.routes[route.id] = httpRoute;
    if (throttle) {
      // Detailed metrics again: whether route settings inherit the stage default's is not documented.
      this.routeSettings[routeKey(route)] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
        DetailedMetricsEnabled: true,
      };
      // CloudFormation refuses settings for a route key the API does not have yet.
      this.stage.node.addDependency(httpRoute);
    }
    return httpRoute;
  }

  private createDomainName(customDomain: CustomDomainProps): apigwv2.DomainName {
    return new apigwv2.DomainName(this, 'DomainName', {
      domainName: customDomain.domainName,
      certificate: acm.Certificate.fromCertificateArn(this, 'Certificate', customDomain.certificateArn),
    });
  }
}
