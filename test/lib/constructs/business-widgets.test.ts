import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import {
  EXCHANGE_REJECTION_REASONS,
  LOGIN_FLOWS,
  METRICS_NAMESPACE,
  MetricName,
  NATIVE_CONTINUATION_REJECTION_REASONS,
  RATE_LIMIT_PURPOSES,
  SERVICE_NAME,
  USER_TOKEN_REFUSAL_REASONS,
} from '../../../lambdas/shared/metric-names';
import {
  addinWidgets,
  dependencyWidgets,
  exchangeCodeWidgets,
  machineToMachineWidgets,
  userTokenWidgets,
} from '../../../lib/constructs/business-widgets';

interface RenderedWidget {
  readonly properties: {
    readonly title: string;
    readonly metrics: unknown[][];
    readonly annotations?: { readonly horizontal?: { readonly value: number }[] };
  };
}

const render = (widgets: cloudwatch.IWidget[]): RenderedWidget[] =>
  new Stack().resolve(widgets.flatMap((widget) => widget.toJson())) as RenderedWidget[];

describe('exchange code widgets', () => {
  const [counts, rejections, refusedContinuations] = render(exchangeCodeWidgets());

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

  it('plot one line per reason a native sign-in confirmation is refused', () => {
    expect(refusedContinuations.properties.metrics.map((metric) => metric.slice(0, 6))).toEqual(
      NATIVE_CONTINUATION_REJECTION_REASONS.map((reason) => [
        METRICS_NAMESPACE,
        MetricName.NativeContinuationRejected,
        'reason',
        reason,
        'service',
        SERVICE_NAME,
      ]),
    );
  });
});

describe('add-in widgets', () => {
  const [logins, replays] = render(addinWidgets());

  it('plot add-in logins opened, completed, cancelled and expired, and replays and wrong completion codes', () => {
    expect(logins.properties.metrics.map((metric) => metric[1])).toEqual([
      MetricName.AddinSessionOpened,
      MetricName.AddinSessionCompleted,
      MetricName.AddinSessionCancelled,
      MetricName.AddinSessionExpired,
    ]);
    expect(replays.properties.metrics.map((metric) => metric.slice(0, 4))).toEqual([
      [METRICS_NAMESPACE, MetricName.AddinReplayDetected, 'service', SERVICE_NAME],
      [METRICS_NAMESPACE, MetricName.AddinCompletionRejected, 'service', SERVICE_NAME],
    ]);
  });
});

describe('machine-to-machine widgets', () => {
  it('plot tokens issued per application with a SEARCH over the application dimension', () => {
    const [tokens] = render(machineToMachineWidgets());
    expect(tokens.properties.title).toBe('Tokens issued, by application');
    expect(tokens.properties.metrics).toEqual([
      [
        expect.objectContaining({
          expression: `SEARCH('{${METRICS_NAMESPACE},application,service} MetricName="${MetricName.TokenIssued}" service="${SERVICE_NAME}"', 'Sum', 300)`,
          label: "${PROP('Dim.application')}",
        }),
      ],
    ]);
  });

  it('plot client-authentication failures and delegation refusals for the service', () => {
    const [, failures, refusals] = render(machineToMachineWidgets());
    expect(failures.properties.metrics.map((metric) => metric.slice(0, 4))).toEqual([
      [METRICS_NAMESPACE, MetricName.ClientAuthenticationFailed, 'service', SERVICE_NAME],
    ]);
    expect(refusals.properties.metrics.map((metric) => metric.slice(0, 4))).toEqual([
      [METRICS_NAMESPACE, MetricName.DelegationRefused, 'service', SERVICE_NAME],
    ]);
    expect(failures.properties.annotations).toBeUndefined();
  });

  it('draw the alarm threshold on the failures when given the alarm', () => {
    const stack = new Stack();
    const alarm = new cloudwatch.Alarm(stack, 'Alarm', {
      metric: new cloudwatch.Metric({ namespace: METRICS_NAMESPACE, metricName: MetricName.AddinReplayDetected }),
      threshold: 42,
      evaluationPeriods: 1,
    });
    const [, failures] = render(machineToMachineWidgets({ clientAuthenticationAlarm: alarm }));
    expect(failures.properties.annotations?.horizontal).toEqual([expect.objectContaining({ value: 42 })]);
  });
});

describe('dependency and limit widgets', () => {
  const [failures, limits, idpFetches] = render(dependencyWidgets());

  it('plot dependency failures by dependency and kind, from a SEARCH over both dimensions', () => {
    const [[expression]] = failures.properties.metrics as [[{ expression: string }]];
    expect(expression.expression).toBe(
      `SEARCH('{${METRICS_NAMESPACE},dependency,reason,service} MetricName="DependencyFailed" service="${SERVICE_NAME}"', 'Sum', 300)`,
    );
  });

  it('plot the requests each per-address budget refused, and the long polls answered at once', () => {
    expect(limits.properties.metrics.map((metric) => metric.slice(0, 6).filter((part) => typeof part === 'string'))).toEqual([
      ...RATE_LIMIT_PURPOSES.map((purpose) => [METRICS_NAMESPACE, MetricName.RateLimited, 'reason', purpose, 'service', SERVICE_NAME]),
      [METRICS_NAMESPACE, MetricName.LongPollShortened, 'service', SERVICE_NAME],
    ]);
  });

  it('plot the IdP documents logins fetched themselves, past the shared IdP cache', () => {
    expect(idpFetches.properties.metrics.map((metric) => metric.slice(0, 4))).toEqual([
      [METRICS_NAMESPACE, MetricName.IdpMetadataFetched, 'service', SERVICE_NAME],
      [METRICS_NAMESPACE, MetricName.IdpKeysFetched, 'service', SERVICE_NAME],
    ]);
  });
});

describe('user token widgets', () => {
  const [perAudience, perFlow, refusals] = render(userTokenWidgets());

  it('plot user tokens per audience with a SEARCH over the audience dimension, and per login flow', () => {
    expect(perAudience.properties.metrics).toEqual([
      [
        expect.objectContaining({
          expression: `SEARCH('{${METRICS_NAMESPACE},audience,service} MetricName="${MetricName.UserTokenIssued}" service="${SERVICE_NAME}"', 'Sum', 300)`,
          label: "${PROP('Dim.audience')}",
        }),
      ],
    ]);
    expect(perFlow.properties.metrics.map((metric) => metric.slice(1, 4))).toEqual(
      LOGIN_FLOWS.map((flow) => [MetricName.UserTokenIssued, 'flow', flow]),
    );
  });

  it('plot one refusal line per error code the user-token endpoints answer', () => {
    expect(refusals.properties.metrics.map((metric) => metric.slice(1, 4))).toEqual(
      USER_TOKEN_REFUSAL_REASONS.map((reason) => [MetricName.UserTokenRefused, 'reason', reason]),
    );
  });
});
