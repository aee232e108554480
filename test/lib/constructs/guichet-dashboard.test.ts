import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { LOGIN_FLOWS, METRICS_NAMESPACE, MetricName, SERVICE_NAME } from '../../../lambdas/shared/metric-names';
import { GuichetDashboard } from '../../../lib/constructs/guichet-dashboard';
import { dashboardWidgets, hostStack } from '../helpers';

let widgets: ReturnType<typeof dashboardWidgets>;

beforeAll(() => {
  const stack = hostStack();
  const dashboard = new GuichetDashboard(stack, 'Dashboard');
  dashboard.addSection('Added later', [new cloudwatch.TextWidget({ markdown: 'feature widget', width: 24 })]);
  widgets = dashboardWidgets(Template.fromStack(stack));
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

test('addSection appends a titled band after the existing ones', () => {
  const markdowns = widgets.filter((widget) => widget.type === 'text').map((widget) => widget.properties.markdown);
  expect(markdowns).toEqual(['## Logins and sessions', '## Added later', 'feature widget']);
});
