import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ROUTES } from '../../../lambdas/routes';
import { apiWidgets, functionWidgets, initDurationWidget, routeWidgets, tableWidget } from '../../../lib/constructs/operations-widgets';
import { type DashboardWidget, hostStack, logicalId } from '../helpers';

const stack = hostStack();
const httpApi = new apigwv2.HttpApi(stack, 'HttpApi');
const stage = httpApi.defaultStage!;
const fn = new lambda.Function(stack, 'Handler', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({})'),
});
const functionName = { Ref: logicalId(fn) };
const apiId = { Ref: logicalId(httpApi) };
const route = ROUTES.find((candidate) => candidate.id === 'AuthLogin')!;

const render = (widgets: cloudwatch.IWidget[]): DashboardWidget[] => stack.resolve(widgets.flatMap((widget) => widget.toJson()));
/** Metric name, dimensions and statistic of each plotted metric. */
const plotted = (widget: DashboardWidget) =>
  widget.properties.metrics?.map((metric) => {
    const options = metric.at(-1) as { stat: string };
    return [...metric.slice(1, -1), options.stat];
  });

describe('routeWidgets', () => {
  const widgets = render(routeWidgets(route, stage, fn));
  const routeDimensions = ['ApiId', apiId, 'Route', 'GET /auth/login', 'Stage', '$default'];

  test('make one full row titled by the route key', () => {
    expect(widgets.map((widget) => widget.properties.title)).toEqual([
      'GET /auth/login: requests',
      'GET /auth/login: latency',
      'GET /auth/login: errors, throttles',
      'GET /auth/login: concurrency',
    ]);
    expect(widgets.reduce((width, widget) => width + widget.width, 0)).toBe(24);
  });

  test('plot the route requests, 4xx and 5xx', () => {
    expect(plotted(widgets[0])).toEqual([
      ['Count', ...routeDimensions, 'Sum'],
      ['4xx', ...routeDimensions, 'Sum'],
      ['5xx', ...routeDimensions, 'Sum'],
    ]);
  });

  test('plot the route latency and its Lambda duration, p50 and p99', () => {
    expect(plotted(widgets[1])).toEqual([
      ['Latency', ...routeDimensions, 'p50'],
      ['Latency', ...routeDimensions, 'p99'],
      ['Duration', 'FunctionName', functionName, 'p50'],
      ['Duration', 'FunctionName', functionName, 'p99'],
    ]);
  });

  test('plot the Lambda errors, throttles and concurrent executions', () => {
    expect(plotted(widgets[2])).toEqual([
      ['Errors', 'FunctionName', functionName, 'Sum'],
      ['Throttles', 'FunctionName', functionName, 'Sum'],
    ]);
    expect(plotted(widgets[3])).toEqual([['ConcurrentExecutions', 'FunctionName', functionName, 'Maximum']]);
  });
});

test('functionWidgets of a Lambda behind no route plot its duration alone', () => {
  const [latency, errors] = render(functionWidgets('Rotation', fn));
  expect(latency.properties.title).toBe('Rotation: latency');
  expect(plotted(latency)?.map((metric) => metric[0])).toEqual(['Duration', 'Duration']);
  expect(errors.properties.title).toBe('Rotation: errors, throttles');
});

test('apiWidgets plot the stage totals, and the 5xx rate against its alarm', () => {
  const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
    metric: stage.metricServerError(),
    threshold: 5,
    evaluationPeriods: 1,
  });
  const [requests, rate, latency] = render(apiWidgets(stage, alarm));
  expect(plotted(requests)?.map((metric) => metric[0])).toEqual(['Count', '4xx', '5xx']);
  expect(JSON.stringify(rate.properties.metrics)).toContain('100 * FILL(errors, 0) / requests');
  expect(rate.properties.annotations).toEqual({ horizontal: [expect.objectContaining({ value: 5 })] });
  expect(plotted(latency)?.map((metric) => metric.at(-1))).toEqual(['p50', 'p99']);
});

test('initDurationWidget reads the init duration of the REPORT lines of every log group given', () => {
  const logGroups = ['One', 'Two'].map((id) => new logs.LogGroup(stack, id));
  const [widget] = render([initDurationWidget(logGroups)]);
  expect(widget.type).toBe('log');
  expect(widget.properties.query).toEqual({
    'Fn::Join': [
      '',
      [
        "SOURCE '",
        { Ref: logicalId(logGroups[0]) },
        "' | SOURCE '",
        { Ref: logicalId(logGroups[1]) },
        expect.stringMatching(/^' \| filter @type = "REPORT" and ispresent\(@initDuration\)\n.*pct\(@initDuration, 99/),
      ],
    ],
  });
});

test('tableWidget plots consumed read and write units, and throttled requests', () => {
  const table = new dynamodb.Table(stack, 'Table', {
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  });
  const [widget] = render([tableWidget('sessions', table)]);
  expect(widget.properties.title).toBe('Table sessions');
  const metrics = JSON.stringify(widget.properties.metrics);
  for (const name of ['ConsumedReadCapacityUnits', 'ConsumedWriteCapacityUnits', 'ThrottledRequests']) {
    expect(metrics).toContain(`"${name}"`);
  }
  expect(metrics).toContain('"yAxis":"right"');
});
