import { Duration } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { RouteDefinition } from '../../lambdas/routes';
import { loginWidgets, PERIOD } from './business-widgets';

export interface DashboardRoute {
  readonly definition: RouteDefinition;
  readonly function: lambda.IFunction;
}

export interface GuichetDashboardProps {
  readonly httpApi: apigwv2.IHttpApi;
  readonly stage: apigwv2.IHttpStage;
  readonly routes: readonly DashboardRoute[];
}

/**
 * The operations dashboard: business metrics first, then each route's Lambda and API health. Features add
 * their own widgets with `addSection`.
 */
export class GuichetDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: GuichetDashboardProps) {
    super(scope, id);
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { defaultInterval: Duration.hours(3) });
    this.addSection('Logins and sessions', loginWidgets());
    this.addSection(
      'Routes',
      props.routes.flatMap((route) => routeWidgets(route, props.httpApi, props.stage)),
    );
  }

  /** Appends a titled band of widgets (they wrap at the dashboard's 24-column width). */
  addSection(title: string, widgets: readonly cloudwatch.IWidget[]): void {
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `## ${title}`, width: 24, height: 1 }));
    this.dashboard.addWidgets(...widgets);
  }
}

function routeWidgets(
  route: DashboardRoute,
  httpApi: apigwv2.IHttpApi,
  stage: apigwv2.IHttpStage,
): cloudwatch.IWidget[] {
  const { method, path } = route.definition;
  // Route-level API metrics exist because the stage enables detailed metrics.
  const apiMetric = (metricName: string, statistic: string, label: string) =>
    new cloudwatch.Metric({
      namespace: 'AWS/ApiGateway',
      metricName,
      dimensionsMap: { ApiId: httpApi.apiId, Stage: stage.stageName, Method: method, Resource: path },
      statistic,
      period: PERIOD,
      label,
    });
  const fn = route.function;
  return [
    new cloudwatch.GraphWidget({
      title: `${method} ${path}: errors`,
      left: [
        fn.metricErrors({ statistic: cloudwatch.Stats.SUM, period: PERIOD, label: 'Lambda errors' }),
        apiMetric('4xx', cloudwatch.Stats.SUM, 'HTTP 4xx'),
        apiMetric('5xx', cloudwatch.Stats.SUM, 'HTTP 5xx'),
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: `${method} ${path}: latency p99`,
      left: [
        fn.metricDuration({ statistic: cloudwatch.Stats.p(99), period: PERIOD, label: 'Lambda duration' }),
        apiMetric('Latency', cloudwatch.Stats.p(99), 'API latency'),
      ],
      width: 12,
    }),
  ];
}
