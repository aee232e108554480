import { Stack } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { addonWidgets, exchangeCodeWidgets } from '../../../lib/constructs/business-widgets';
import { EXCHANGE_REJECTION_REASONS, METRICS_NAMESPACE, MetricName, SERVICE_NAME } from '../../../lambdas/shared/metric-names';

interface RenderedWidget {
  readonly properties: { readonly title: string; readonly metrics: unknown[][] };
}

const render = (widgets: cloudwatch.IWidget[]): RenderedWidget[] =>
  new Stack().resolve(widgets.flatMap((widget) => widget.toJson())) as RenderedWidget[];

describe('exchange code widgets', () => {
  const [counts, rejections] = render(exchangeCodeWidgets());

  it('plot codes issued and redeemed with the dimensions the handlers emit', () => {
    expect(counts.properties.metrics.map((metric) => metric.slice(0, 4))).toEqual([
      [METRICS_NAMESPACE, MetricName.ExchangeCodeIssued, 'service', SERVICE_NAME],
      [METRICS_NAMESPACE, MetricName.ExchangeCodeRedeemed, 'service', SERVICE_NAME],
    ]);
  });

  it('plot one rejection line per reason', () => {
    expect(rejections.properties.metrics.map((metric) => metric.slice(0, 6))).toEqual(
      EXCHANGE_REJECTION_REASONS.map((reason) => [
        METRICS_NAMESPACE,
        MetricName.ExchangeCodeRejected,
        'reason',
        reason,
        'service',
        SERVICE_NAME,
      ]),
    );
  });
});

describe('add-in widgets', () => {
  const [logins, replays] = render(addonWidgets());

  it('plot add-in logins opened, completed and expired, and replays', () => {
    expect(logins.properties.metrics.map((metric) => metric[1])).toEqual([
      MetricName.AddonSessionOpened,
      MetricName.AddonSessionCompleted,
      MetricName.AddonSessionExpired,
    ]);
    expect(replays.properties.metrics.map((metric) => metric.slice(0, 4))).toEqual([
      [METRICS_NAMESPACE, MetricName.AddonReplayDetected, 'service', SERVICE_NAME],
    ]);
  });
});
