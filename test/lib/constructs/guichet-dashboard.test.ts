import { Template } from 'aws-cdk-lib/assertions';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { GuichetDashboard } from '../../../lib/constructs/guichet-dashboard';
import { ROUTES } from '../../../lambdas/routes';
import { LOGIN_FLOWS, METRICS_NAMESPACE, MetricName, SERVICE_NAME } from '../../../lambdas/shared/metric-names';
import { hostStack } from '../helpers';

interface Widget {
  readonly type: string;
  readonly properties: { readonly title?: string; readonly markdown?: string; readonly metrics?: unknown[][] };
}

let widgets: Widget[];

beforeAll(() => {
  const stack = hostStack();
  const httpApi = new apigwv2.HttpApi(stack, 'HttpApi');
  const routes = ROUTES.map((definition) => ({
    definition,
    function: new lambda.Function(stack, definition.id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    }),
  }));
  const dashboard = new GuichetDashboard(stack, 'Dashboard', { httpApi, stage: httpApi.defaultStage!, routes });
  dashboard.addSection('Added later', [new cloudwatch.TextWidget({ markdown: 'feature widget', width: 24 })]);

  const [resource] = Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Dashboard'));
  // Tokens (region, ids) are opaque here: only names, titles and dimensions are checked.
  const body = (resource.Properties.DashboardBody['Fn::Join'][1] as unknown[])
    .map((part) => (typeof part === 'string' ? part : 'TOKEN'))
    .join('');
  widgets = JSON.parse(body).widgets;
});

const titled = (title: string) => widgets.find((widget) => widget.properties.title === title);

test('plots logins started, succeeded and failed for each flow', () => {
  for (const flow of LOGIN_FLOWS) {
    expect(titled(`Logins: ${flow}`)?.properties.metrics).toEqual(
      [MetricName.LoginStarted, MetricName.LoginSucceeded, MetricName.LoginFailed].map((name) => [
        METRICS_NAMESPACE,
        name,
        'flow',
        flow,
        'service',
        SERVICE_NAME,
        expect.objectContaining({ stat: 'Sum' }),
      ]),
    );
  }
});

test('plots sessions created and ended for the service', () => {
  expect(titled('Sessions')?.properties.metrics).toEqual(
    [MetricName.SessionCreated, MetricName.SessionEnded].map((name) => [
      METRICS_NAMESPACE,
      name,
      'service',
      SERVICE_NAME,
      expect.objectContaining({ stat: 'Sum' }),
    ]),
  );
});

test.each(ROUTES.map((route) => [`${route.method} ${route.path}`, route] as const))(
  'plots Lambda errors, duration p99 and API 4xx, 5xx, latency for %s',
  (_key, route) => {
    const routeDimensions = ['Method', route.method, 'Resource', route.path, 'Stage', '$default'];
    const metricsOf = (title: string) => titled(`${route.method} ${route.path}: ${title}`)?.properties.metrics;
    expect(metricsOf('errors')).toEqual([
      ['AWS/Lambda', 'Errors', 'FunctionName', 'TOKEN', expect.objectContaining({ stat: 'Sum' })],
      ['AWS/ApiGateway', '4xx', 'ApiId', 'TOKEN', ...routeDimensions, expect.objectContaining({ stat: 'Sum' })],
      ['AWS/ApiGateway', '5xx', 'ApiId', 'TOKEN', ...routeDimensions, expect.objectContaining({ stat: 'Sum' })],
    ]);
    expect(metricsOf('latency p99')).toEqual([
      ['AWS/Lambda', 'Duration', 'FunctionName', 'TOKEN', expect.objectContaining({ stat: 'p99' })],
      ['AWS/ApiGateway', 'Latency', 'ApiId', 'TOKEN', ...routeDimensions, expect.objectContaining({ stat: 'p99' })],
    ]);
  },
);

test('addSection appends a titled band after the existing ones', () => {
  const markdowns = widgets.filter((widget) => widget.type === 'text').map((widget) => widget.properties.markdown);
  expect(markdowns).toEqual(['## Logins and sessions', '## Routes', '## Added later', 'feature widget']);
});
