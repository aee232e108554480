import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { ROUTES } from '../../../lambdas/routes';
import { routeMetric, serverErrorRate, throttledRequests } from '../../../lib/constructs/operations-metrics';
import { hostStack, logicalId } from '../helpers';

const stack = hostStack();
const httpApi = new apigwv2.HttpApi(stack, 'HttpApi');
const stage = httpApi.defaultStage!;
const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
const apiId = { Ref: logicalId(httpApi) };

test('route metrics have the dimensions of HTTP API detailed metrics: ApiId, Stage and Route (the route key)', () => {
  const route = ROUTES.find((candidate) => candidate.id === 'OAuthToken')!;
  const metric = routeMetric(stage, route, '5xx', { statistic: cloudwatch.Stats.SUM });
  expect(metric.namespace).toBe('AWS/ApiGateway');
  expect(metric.metricName).toBe('5xx');
  expect(metric.period.toSeconds()).toBe(300);
  expect(stack.resolve(metric.dimensions)).toEqual({ ApiId: apiId, Stage: '$default', Route: 'POST /oauth/token' });
});

test('the 5xx rate is the stage 5xx sum over its request count, in percent, 5xx filled with 0', () => {
  const rate = serverErrorRate(stage);
  expect(rate.expression).toBe('100 * FILL(errors, 0) / requests');
  const { errors, requests } = rate.usingMetrics as Record<string, cloudwatch.Metric>;
  for (const [metric, name] of [
    [errors, '5xx'],
    [requests, 'Count'],
  ] as const) {
    expect(metric.metricName).toBe(name);
    expect(metric.statistic).toBe('Sum');
    expect(stack.resolve(metric.dimensions)).toEqual({ ApiId: apiId, Stage: '$default' });
  }
});

test('throttled requests sum, filled with 0, the operations guichet calls: within the 10 metrics of an alarm', () => {
  const sum = throttledRequests(table);
  const metrics = Object.entries(sum.usingMetrics) as [string, cloudwatch.Metric][];
  expect(metrics.length).toBeLessThanOrEqual(10);
  expect(sum.expression).toBe(metrics.map(([id]) => `FILL(${id}, 0)`).join(' + '));
  const operations = metrics.map(([, metric]) => {
    expect(metric.metricName).toBe('ThrottledRequests');
    expect(metric.statistic).toBe('Sum');
    const dimensions = stack.resolve(metric.dimensions);
    expect(dimensions.TableName).toEqual({ Ref: logicalId(table) });
    return dimensions.Operation;
  });
  expect(operations.sort()).toEqual(['DeleteItem', 'GetItem', 'PutItem', 'Query', 'UpdateItem']);
});
