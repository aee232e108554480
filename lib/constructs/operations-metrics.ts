import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type { RouteDefinition } from '../../lambdas/routes';
import { routeKey } from '../naming';
import { PERIOD } from './business-widgets';

/** Statistic and period of every count: events per dashboard and alarm period. */
export const SUM: cloudwatch.MetricOptions = { statistic: cloudwatch.Stats.SUM, period: PERIOD };

/** The only DynamoDB operations guichet's code calls (GuichetFunction grants no others): at most 10 in an alarm. */
const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
];

/** An HTTP API route metric (`4xx`, `5xx`, `Count`, `Latency`): sent because the stage enables detailed metrics. */
export function routeMetric(
  stage: apigwv2.IHttpStage,
  route: RouteDefinition,
  metricName: string,
  options: cloudwatch.MetricOptions,
): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: 'AWS/ApiGateway',
    metricName,
    dimensionsMap: { ApiId: stage.api.apiId, Stage: stage.stageName, Route: routeKey(route) },
    period: PERIOD,
    ...options,
  });
}

/** Percentage of the stage's requests answered 5xx; no requests, no data point. */
export function serverErrorRate(stage: apigwv2.IHttpStage): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    // Filled, so that a period with requests but no 5xx data point reads 0 %.
    expression: '100 * FILL(errors, 0) / requests',
    usingMetrics: { errors: stage.metricServerError(SUM), requests: stage.metricCount(SUM) },
    period: PERIOD,
    label: '5xx rate (%)',
  });
}

/** Requests to the table DynamoDB throttled, summed over the operations guichet calls. */
export function throttledRequests(table: dynamodb.ITable): cloudwatch.MathExpression {
  const perOperation = Object.fromEntries(
    TABLE_OPERATIONS.map((operation) => [
      operation.toLowerCase(),
      table.metric('ThrottledRequests', {
        ...SUM,
        dimensionsMap: { TableName: table.tableName, Operation: operation },
      }),
    ]),
  );
  return new cloudwatch.MathExpression({
    // Filled, so that an operation with no data point in a period does not blank the sum's.
    expression: Object.keys(perOperation)
      .map((id) => `FILL(${id}, 0)`)
      .join(' + '),
    usingMetrics: perOperation,
    period: PERIOD,
    label: 'Throttled requests',
  });
}
