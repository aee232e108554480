/**
 * Business metrics, named once: the handlers emit them (Powertools Metrics, EMF) and the dashboard plots
 * them. Every metric carries the `service` dimension; the login metrics also carry `flow`.
 */
export const METRICS_NAMESPACE = 'Guichet';
export const SERVICE_NAME = 'guichet';

export const LOGIN_FLOWS = ['web', 'native', 'addon'] as const;
export type LoginFlow = (typeof LOGIN_FLOWS)[number];

export const MetricName = {
  LoginStarted: 'LoginStarted',
  LoginSucceeded: 'LoginSucceeded',
  LoginFailed: 'LoginFailed',
  SessionCreated: 'SessionCreated',
  SessionEnded: 'SessionEnded',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** Metrics that carry the `flow` dimension. */
export const PER_FLOW_METRICS: readonly MetricName[] = [
  MetricName.LoginStarted,
  MetricName.LoginSucceeded,
  MetricName.LoginFailed,
];
