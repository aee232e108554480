import { Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { GuichetAlarms } from '../../../lib/constructs/guichet-alarms';
import {
  addFunctionAlarms,
  addServerErrorRateAlarm,
  addTableThrottlesAlarm,
  SERVER_ERROR_RATE_ALARM_ID,
} from '../../../lib/constructs/operations-alarms';
import { hostStack, logicalId } from '../helpers';

const stack = hostStack();
const alarms = new GuichetAlarms(stack, 'Alarms');
const httpApi = new apigwv2.HttpApi(stack, 'HttpApi');
const fn = new lambda.Function(stack, 'Handler', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({})'),
});
const table = new dynamodb.Table(stack, 'Table', { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING } });
addServerErrorRateAlarm(alarms, httpApi.defaultStage!, 5);
addFunctionAlarms(alarms, 'Ping', fn);
addTableThrottlesAlarm(alarms, 'Sessions', table);
const resources = Template.fromStack(stack).toJSON().Resources;
const propertiesOf = (id: string) => resources[logicalId(alarms.alarms[id])].Properties;

test('5xx rate: the stage 5xx over its requests, in percent, at or above the threshold', () => {
  const properties = propertiesOf(SERVER_ERROR_RATE_ALARM_ID);
  expect(properties).toMatchObject({ Threshold: 5, ComparisonOperator: 'GreaterThanOrEqualToThreshold' });
  const expression = properties.Metrics.find((metric: { Expression?: string }) => metric.Expression);
  expect(expression).toMatchObject({ Expression: '100 * FILL(errors, 0) / requests', ReturnData: true });
  const names = properties.Metrics.filter((metric: { MetricStat?: unknown }) => metric.MetricStat).map(
    (metric: { MetricStat: { Metric: { MetricName: string } } }) => metric.MetricStat.Metric.MetricName,
  );
  expect(names.sort()).toEqual(['5xx', 'Count']);
});

test.each([
  ['PingErrors', 'Errors'],
  ['PingThrottles', 'Throttles'],
])('%s: a single %s of that function in 5 minutes', (id, metricName) => {
  expect(propertiesOf(id)).toMatchObject({
    Namespace: 'AWS/Lambda',
    MetricName: metricName,
    Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn) } }],
    Statistic: 'Sum',
    Period: 300,
    Threshold: 1,
  });
});

test('table throttles: a single throttled request to that table, whatever the operation', () => {
  const properties = propertiesOf('SessionsTableThrottles');
  expect(properties.Threshold).toBe(1);
  expect(properties.Metrics).toHaveLength(6);
  for (const metric of properties.Metrics.filter((entry: { MetricStat?: unknown }) => entry.MetricStat)) {
    expect(metric.MetricStat.Metric.MetricName).toBe('ThrottledRequests');
    expect(metric.MetricStat.Metric.Dimensions).toContainEqual({ Name: 'TableName', Value: { Ref: logicalId(table) } });
  }
});
