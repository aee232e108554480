/**
 * Business metrics, named once: the handlers emit them (Powertools Metrics, EMF) and the dashboard plots
 * them. Every metric carries the `service` dimension; the login metrics also carry `flow`, and the
 * rejection metrics `reason`.
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
  ExchangeCodeIssued: 'ExchangeCodeIssued',
  ExchangeCodeRedeemed: 'ExchangeCodeRedeemed',
  ExchangeCodeRejected: 'ExchangeCodeRejected',
  AddonSessionOpened: 'AddonSessionOpened',
  AddonSessionCompleted: 'AddonSessionCompleted',
  AddonSessionExpired: 'AddonSessionExpired',
  AddonReplayDetected: 'AddonReplayDetected',
  /** Carries the `application` dimension (the client id). */
  TokenIssued: 'TokenIssued',
  ClientAuthenticationFailed: 'ClientAuthenticationFailed',
  DelegationRefused: 'DelegationRefused',
  LogoutTokenAccepted: 'LogoutTokenAccepted',
  LogoutTokenRejected: 'LogoutTokenRejected',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** Metrics that carry the `flow` dimension. */
export const PER_FLOW_METRICS: readonly MetricName[] = [
  MetricName.LoginStarted,
  MetricName.LoginSucceeded,
  MetricName.LoginFailed,
];

/** Why a native app's exchange code was refused: the `reason` dimension of ExchangeCodeRejected. */
export const EXCHANGE_REJECTION_REASONS = [
  'malformed',
  'unknown_or_used',
  'expired',
  'wrong_verifier',
  'session_ended',
  'rate_limited',
] as const;
export type ExchangeRejectionReason = (typeof EXCHANGE_REJECTION_REASONS)[number];

/** Why a back-channel logout token was refused: the `reason` dimension of LogoutTokenRejected. */
export const LOGOUT_REJECTION_REASONS = [
  'malformed',
  'too_large',
  'algorithm',
  'type',
  'signature',
  'claims',
  'expired',
  'events',
  'subject',
  'nonce',
  'replayed',
] as const;
export type LogoutRejectionReason = (typeof LOGOUT_REJECTION_REASONS)[number];
