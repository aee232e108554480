import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  DEPENDENCY_FAILURE_KINDS,
  EXCHANGE_REJECTION_REASONS,
  LOGIN_FLOWS,
  LOGOUT_DELIVERY_OUTCOMES,
  LOGOUT_REJECTION_REASONS,
  METRICS_NAMESPACE,
  MetricName,
  NATIVE_CONTINUATION_REJECTION_REASONS,
  PER_FLOW_METRICS,
  RATE_LIMIT_PURPOSES,
  SERVICE_NAME,
  USER_TOKEN_REFUSAL_REASONS,
} from '../../lambdas/shared/metric-names';

export const PERIOD = Duration.minutes(5);

/** A business metric as the handlers emit it: always the `service` dimension, plus the given ones. */
export function businessMetric(name: MetricName, dimensions: Readonly<Record<string, string>> = {}, label?: string) {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { service: SERVICE_NAME, ...dimensions },
    statistic: cloudwatch.Stats.SUM,
    period: PERIOD,
    label: label ?? name,
  });
}

/** Logins started, succeeded and failed for each flow, and sessions created and ended. */
export function loginWidgets(): cloudwatch.IWidget[] {
  const perFlow = LOGIN_FLOWS.map(
    (flow) =>
      new cloudwatch.GraphWidget({
        title: `Logins: ${flow}`,
        left: PER_FLOW_METRICS.map((name) => businessMetric(name, { flow })),
        width: 8,
      }),
  );
  const sessions = [MetricName.SessionCreated, MetricName.SessionEnded].map((name) => businessMetric(name));
  return [...perFlow, new cloudwatch.GraphWidget({ title: 'Sessions', left: sessions, width: 12 })];
}

/**
 * Native apps: exchange codes issued (one per Continue clicked) and redeemed, rejected by reason, and the
 * confirmations refused by reason (a burst of `foreign_browser` is someone posting continuations they took).
 */
export function exchangeCodeWidgets(): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'Exchange codes',
      left: [businessMetric(MetricName.ExchangeCodeIssued), businessMetric(MetricName.ExchangeCodeRedeemed)],
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'Exchange codes rejected, by reason',
      left: EXCHANGE_REJECTION_REASONS.map((reason) => businessMetric(MetricName.ExchangeCodeRejected, { reason }, reason)),
      stacked: true,
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'Native sign-in confirmations refused, by reason',
      left: NATIVE_CONTINUATION_REJECTION_REASONS.map((reason) =>
        businessMetric(MetricName.NativeContinuationRejected, { reason }, reason),
      ),
      stacked: true,
      width: 8,
    }),
  ];
}

/**
 * Office add-ins: logins opened, completed and expired; transit-token replays (a sign of a leak) and wrong completion
 * codes (whoever started a login polling for a token it was not given: a sign of consent phishing).
 */
export function addinWidgets(): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'Add-in logins',
      left: [
        MetricName.AddinSessionOpened,
        MetricName.AddinSessionCompleted,
        MetricName.AddinSessionCancelled,
        MetricName.AddinSessionExpired,
      ].map((name) => businessMetric(name)),
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Add-in transit token replays and wrong completion codes',
      left: [businessMetric(MetricName.AddinReplayDetected), businessMetric(MetricName.AddinCompletionRejected)],
      width: 12,
    }),
  ];
}

export interface MachineToMachineWidgetsOptions {
  /** Drawn as a threshold line on the client-authentication failures. */
  readonly clientAuthenticationAlarm?: cloudwatch.Alarm;
}

/**
 * Tokens issued per application, failed client authentications and refused delegations. Client ids are
 * registered at run time, so the per-application lines come from a SEARCH over the `application` dimension.
 */
export function machineToMachineWidgets(options: MachineToMachineWidgetsOptions = {}): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'Tokens issued, by application',
      left: [linePerValue(MetricName.TokenIssued, 'application')],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Client authentication failures',
      left: [businessMetric(MetricName.ClientAuthenticationFailed)],
      leftAnnotations: options.clientAuthenticationAlarm && [options.clientAuthenticationAlarm.toAnnotation()],
      width: 6,
    }),
    new cloudwatch.GraphWidget({
      title: 'Delegations refused',
      left: [businessMetric(MetricName.DelegationRefused)],
      width: 6,
    }),
  ];
}

/**
 * User tokens minted for product APIs, per audience (a SEARCH: audiences change with the configuration) and per
 * login flow of the session, and refused by the error code answered.
 */
export function userTokenWidgets(): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'User tokens minted, by audience',
      left: [linePerValue(MetricName.UserTokenIssued, 'audience')],
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'User tokens minted, by login flow of the session',
      left: LOGIN_FLOWS.map((flow) => businessMetric(MetricName.UserTokenIssued, { flow }, flow)),
      stacked: true,
      width: 8,
    }),
    new cloudwatch.GraphWidget({
      title: 'User tokens refused, by reason',
      left: USER_TOKEN_REFUSAL_REASONS.map((reason) => businessMetric(MetricName.UserTokenRefused, { reason }, reason)),
      stacked: true,
      width: 8,
    }),
  ];
}

/** One line per value of a dimension whose values are known only at run time (client ids, audiences), by SEARCH. */
function linePerValue(name: MetricName, dimension: string): cloudwatch.MathExpression {
  return new cloudwatch.MathExpression({
    expression: metricSearch(name, [dimension]),
    usingMetrics: {},
    period: PERIOD,
    label: `\${PROP('Dim.${dimension}')}`,
  });
}

/** Every series of a business metric with exactly these dimensions (and `service`), summed per period. */
function metricSearch(name: MetricName, dimensions: readonly string[]): string {
  const schema = `{${METRICS_NAMESPACE},${[...dimensions, 'service'].sort().join(',')}}`;
  return `SEARCH('${schema} MetricName="${name}" service="${SERVICE_NAME}"', 'Sum', ${PERIOD.toSeconds()})`;
}

export interface DependencyWidgetsOptions {
  /** Drawn on the failures graph, when the stack has it. */
  readonly failureAlarm?: cloudwatch.Alarm;
}

/**
 * What guichet's dependencies and its own limits refuse: failures of the IdP, DynamoDB and Secrets Manager by kind
 * (answered 502/503/504), requests refused by a per-address budget, long polls answered at once, and the IdP
 * round trips a login made because the shared IdP cache could not serve it.
 */
export function dependencyWidgets(options: DependencyWidgetsOptions = {}): cloudwatch.IWidget[] {
  const failures = new cloudwatch.MathExpression({
    expression: metricSearch(MetricName.DependencyFailed, ['dependency', 'reason']),
    usingMetrics: {},
    period: PERIOD,
    label: "${PROP('Dim.dependency')} ${PROP('Dim.reason')}",
  });
  return [
    new cloudwatch.GraphWidget({
      title: `Dependency failures, by dependency and kind (${DEPENDENCY_FAILURE_KINDS.join(', ')})`,
      left: [failures],
      leftAnnotations: options.failureAlarm && [options.failureAlarm.toAnnotation()],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Requests refused by a per-address budget, and long polls answered at once',
      left: [
        ...RATE_LIMIT_PURPOSES.map((purpose) => businessMetric(MetricName.RateLimited, { reason: purpose }, purpose)),
        businessMetric(MetricName.LongPollShortened, {}, 'long polls answered at once'),
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: "IdP documents fetched on a login's path: the shared IdP cache had no usable copy",
      left: [
        businessMetric(MetricName.IdpMetadataFetched, {}, 'discovery document (login, callback)'),
        businessMetric(MetricName.IdpKeysFetched, {}, 'JWKS (callback: keys too old, or a new kid)'),
      ],
      width: 12,
    }),
  ];
}

export interface BackchannelLogoutWidgetsOptions {
  /** Drawn on the rejections graph, when the stack has it. */
  readonly rejectionAlarm?: cloudwatch.Alarm;
}

/** Back-channel logout: tokens accepted, rejected by reason, and the sessions it ends. */
export function backchannelLogoutWidgets(options: BackchannelLogoutWidgetsOptions = {}): cloudwatch.IWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: 'Logout tokens accepted, and sessions ended',
      left: [businessMetric(MetricName.LogoutTokenAccepted), businessMetric(MetricName.SessionEnded)],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Logout tokens rejected, by reason',
      left: LOGOUT_REJECTION_REASONS.map((reason) => businessMetric(MetricName.LogoutTokenRejected, { reason }, reason)),
      leftAnnotations: options.rejectionAlarm && [options.rejectionAlarm.toAnnotation()],
      stacked: true,
      width: 12,
    }),
  ];
}

export interface DownstreamLogoutWidgetsOptions {
  /** The queue of deliveries: the age of its oldest message is how late the slowest pending delivery is. */
  readonly deliveries: sqs.IQueue;
  /** The failed deliveries (the dead-letter queue): its depth is what the operator has to look at. */
  readonly failedDeliveries: sqs.IQueue;
  /** Drawn on the failed deliveries' depth, when the stack has it. */
  readonly failedAlarm?: cloudwatch.Alarm;
}

/** The failed deliveries waiting for the operator: the dead-letter queue's depth, the number its alarm watches. */
export function failedDeliveriesDepth(failedDeliveries: sqs.IQueue): cloudwatch.IMetric {
  const options = { statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD, label: 'failed deliveries kept' };
  return failedDeliveries.metricApproximateNumberOfMessagesVisible(options);
}

/**
 * Logout carried to product backends: deliveries queued, attempts by outcome and, per audience, by outcome (a
 * SEARCH: audiences change with the configuration); the age of the oldest pending delivery; the failed ones kept.
 */
export function downstreamLogoutWidgets(options: DownstreamLogoutWidgetsOptions): cloudwatch.IWidget[] {
  const perAudience = new cloudwatch.MathExpression({
    expression: metricSearch(MetricName.LogoutDeliveryAttempted, ['audience', 'outcome']),
    usingMetrics: {},
    period: PERIOD,
    label: "${PROP('Dim.audience')} ${PROP('Dim.outcome')}",
  });
  return [
    new cloudwatch.GraphWidget({
      title: 'Logout deliveries queued, and attempts by outcome',
      left: [
        businessMetric(MetricName.LogoutDeliveryQueued, {}, 'queued'),
        ...LOGOUT_DELIVERY_OUTCOMES.map((outcome) => businessMetric(MetricName.LogoutDeliveryAttempted, { outcome }, outcome)),
      ],
      width: 12,
    }),
    new cloudwatch.GraphWidget({ title: 'Logout delivery attempts, by audience and outcome', left: [perAudience], width: 12 }),
    new cloudwatch.GraphWidget({
      title: 'Oldest pending logout delivery (seconds)',
      left: [options.deliveries.metricApproximateAgeOfOldestMessage({ statistic: cloudwatch.Stats.MAXIMUM, period: PERIOD })],
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Failed logout deliveries kept for the operator (npm run logout-deliveries -- list)',
      left: [failedDeliveriesDepth(options.failedDeliveries)],
      leftAnnotations: options.failedAlarm && [options.failedAlarm.toAnnotation()],
      width: 12,
    }),
  ];
}
