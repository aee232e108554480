import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type { RouteDefinition } from '../../lambdas/routes';
import { routeKey } from '../naming';
import { PERIOD } from './business-widgets';
import { routeMetric, SUM, serverErrorRate, throttledRequests } from './operations-metrics';

const P50: cloudwatch.MetricOptions = { statistic: cloudwatch.Stats.p(50), period: PERIOD };
const P99: cloudwatch.MetricOptions = { statistic: cloudwatch.Stats.p(99), period: PERIOD };

/** Four graphs fill a 24-column row: one route or function per row, or four tables. */
function graph(
  title: string,
  left: cloudwatch.IMetric[],
  options: Omit<cloudwatch.GraphWidgetProps, 'title' | 'left'> = {},
): cloudwatch.GraphWidget {
  return new cloudwatch.GraphWidget({ title, left, width: 6, height: 5, ...options });
}

/** The whole API: requests and errors, the 5xx rate against its alarm, latency. */
export function apiWidgets(stage: apigwv2.IHttpStage, serverErrorRateAlarm?: cloudwatch.Alarm): cloudwatch.IWidget[] {
  return [
    graph(
      'API: requests',
      [
        stage.metricCount({ ...SUM, label: 'Requests' }),
        stage.metricClientError({ ...SUM, label: '4xx' }),
        stage.metricServerError({ ...SUM, label: '5xx' }),
      ],
      { width: 8 },
    ),
    graph('API: 5xx rate', [serverErrorRate(stage)], {
      leftAnnotations: serverErrorRateAlarm && [serverErrorRateAlarm.toAnnotation()],
      width: 8,
    }),
    graph('API: latency', [stage.metricLatency({ ...P50, label: 'p50' }), stage.metricLatency({ ...P99, label: 'p99' })], { width: 8 }),
  ];
}

/** One row per route: its requests and errors at the API, then its Lambda's graphs. */
export function routeWidgets(route: RouteDefinition, stage: apigwv2.IHttpStage, fn: lambda.IFunction): cloudwatch.IWidget[] {
  const key = routeKey(route);
  const metric = (name: string, options: cloudwatch.MetricOptions) => routeMetric(stage, route, name, options);
  return [
    graph(`${key}: requests`, [
      metric('Count', { ...SUM, label: 'Requests' }),
      metric('4xx', { ...SUM, label: '4xx' }),
      metric('5xx', { ...SUM, label: '5xx' }),
    ]),
    ...functionWidgets(key, fn, [metric('Latency', { ...P50, label: 'API p50' }), metric('Latency', { ...P99, label: 'API p99' })]),
  ];
}

/** A Lambda's duration (beside the API latency in front of it, if any), errors and throttles, and concurrency. */
export function functionWidgets(title: string, fn: lambda.IFunction, apiLatency: readonly cloudwatch.IMetric[] = []): cloudwatch.IWidget[] {
  return [
    graph(`${title}: latency`, [
      ...apiLatency,
      fn.metricDuration({ ...P50, label: 'Lambda p50' }),
      fn.metricDuration({ ...P99, label: 'Lambda p99' }),
    ]),
    graph(`${title}: errors, throttles`, [
      fn.metricErrors({ ...SUM, label: 'Errors' }),
      fn.metricThrottles({ ...SUM, label: 'Throttles' }),
    ]),
    graph(`${title}: concurrency`, [
      fn.metric('ConcurrentExecutions', { statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD, label: 'Maximum' }),
    ]),
  ];
}

/**
 * Cold starts of every function. Init duration is no CloudWatch metric, only a field of the `REPORT` line
 * Lambda writes to the function's log group after a cold start's first invocation.
 */
export function initDurationWidget(logGroups: readonly logs.ILogGroup[]): cloudwatch.IWidget {
  return new cloudwatch.LogQueryWidget({
    title: 'Lambda cold starts: init duration (ms), by log group',
    logGroupNames: logGroups.map((logGroup) => logGroup.logGroupName),
    view: cloudwatch.LogQueryVisualizationType.TABLE,
    queryLines: [
      'filter @type = "REPORT" and ispresent(@initDuration)',
      'stats count(*) as coldStarts, pct(@initDuration, 50) as p50, pct(@initDuration, 99) as p99, ' +
        'max(@initDuration) as maximum by @log',
      'sort p99 desc',
    ],
    width: 24,
    height: 8,
  });
}

/** A table's consumed capacity (left) and throttled requests (right). */
export function tableWidget(name: string, table: dynamodb.ITable): cloudwatch.IWidget {
  return graph(
    `Table ${name}`,
    [
      table.metricConsumedReadCapacityUnits({ ...SUM, label: 'Read units' }),
      table.metricConsumedWriteCapacityUnits({ ...SUM, label: 'Write units' }),
    ],
    { right: [throttledRequests(table)] },
  );
}
