/**
 * Business metrics, named once: the handlers emit them (Powertools Metrics, EMF) and the dashboard plots
 * them. Every metric carries the `service` dimension; the login metrics also carry `flow`, and the
 * rejection metrics `reason`.
 */
export const METRICS_NAMESPACE = 'Guichet';
export const SERVICE_NAME = 'guichet';

export const LOGIN_FLOWS = ['web', 'native', 'addin'] as const;
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
  /** A native login's confirmation refused: no exchange code; the `reason` dimension says why. */
  NativeContinuationRejected: 'NativeContinuationRejected',
  AddinSessionOpened: 'AddinSessionOpened',
  AddinSessionCompleted: 'AddinSessionCompleted',
  AddinSessionExpired: 'AddinSessionExpired',
  AddinSessionCancelled: 'AddinSessionCancelled',
  AddinReplayDetected: 'AddinReplayDetected',
  /** A poll presented a wrong completion code (whoever started the login is not the add-in that confirmed): ended. */
  AddinCompletionRejected: 'AddinCompletionRejected',
  /** Carries the `application` dimension (the client id). */
  TokenIssued: 'TokenIssued',
  ClientAuthenticationFailed: 'ClientAuthenticationFailed',
  DelegationRefused: 'DelegationRefused',
  LogoutTokenAccepted: 'LogoutTokenAccepted',
  LogoutTokenRejected: 'LogoutTokenRejected',
  /** A client address ran out of a budget; the `reason` dimension names the budget. */
  RateLimited: 'RateLimited',
  /** A long poll answered at once: the address already holds its share of long polls. */
  LongPollShortened: 'LongPollShortened',
  /** A session exchanged for a user token; counted by `audience` and, separately, by `flow`. */
  UserTokenIssued: 'UserTokenIssued',
  /** A user token refused; the `reason` dimension is the error code answered. */
  UserTokenRefused: 'UserTokenRefused',
  /** A dependency failed a request; dimensions `dependency` and `reason` (the kind of failure). */
  DependencyFailed: 'DependencyFailed',
  /** A login or callback fetched the IdP's discovery document itself: the shared IdP cache was absent, old or unusable. */
  IdpMetadataFetched: 'IdpMetadataFetched',
  /** A callback fetched the IdP's JWKS itself: the cached keys were too old for openid-client, or lacked the token's key. */
  IdpKeysFetched: 'IdpKeysFetched',
  /** Downstream back-channel logouts queued when a session ended, one per audience to tell. */
  LogoutDeliveryQueued: 'LogoutDeliveryQueued',
  /** One attempt to deliver a downstream logout; dimensions `outcome` and `audience`. */
  LogoutDeliveryAttempted: 'LogoutDeliveryAttempted',
} as const;
export type MetricName = (typeof MetricName)[keyof typeof MetricName];

/** Metrics that carry the `flow` dimension. */
export const PER_FLOW_METRICS: readonly MetricName[] = [MetricName.LoginStarted, MetricName.LoginSucceeded, MetricName.LoginFailed];

/** Why a native app's exchange code was refused: the `reason` dimension of ExchangeCodeRejected. */
export const EXCHANGE_REJECTION_REASONS = ['malformed', 'unknown_or_used', 'expired', 'wrong_verifier', 'session_ended'] as const;
export type ExchangeRejectionReason = (typeof EXCHANGE_REJECTION_REASONS)[number];

/** Why a native login's continuation was refused: the `reason` dimension of NativeContinuationRejected. */
export const NATIVE_CONTINUATION_REJECTION_REASONS = [
  'malformed',
  'unknown_or_used',
  'expired',
  'foreign_browser',
  'session_ended',
] as const;
export type NativeContinuationRejectionReason = (typeof NATIVE_CONTINUATION_REJECTION_REASONS)[number];

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

/** Why a user token was refused: the error code answered, the `reason` dimension of UserTokenRefused. */
export const USER_TOKEN_REFUSAL_REASONS = [
  'invalid_request',
  'invalid_target',
  'invalid_scope',
  'invalid_grant',
  'unauthenticated',
  'access_denied',
] as const;
export type UserTokenRefusalReason = (typeof USER_TOKEN_REFUSAL_REASONS)[number];

/** The per-address budgets: the `reason` dimension of RateLimited. */
export const RATE_LIMIT_PURPOSES = [
  'logins',
  'native-continue-failures',
  'session-exchange-failures',
  'token-failures',
  'addins',
  'addin-polls',
] as const;
export type RateLimitPurpose = (typeof RATE_LIMIT_PURPOSES)[number];

/** What guichet depends on at run time: the `dependency` dimension of DependencyFailed. */
/** `jwks` is guichet's own published keys; `applicationJwks` the keys an application publishes at its `jwks_uri`. */
export const DEPENDENCIES = ['idp', 'DynamoDB', 'SecretsManager', 'SQS', 'jwks', 'applicationJwks'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

/** How a dependency failed: the `reason` dimension of DependencyFailed. */
export const DEPENDENCY_FAILURE_KINDS = ['throttled', 'failed', 'timeout', 'unreachable', 'invalid_response', 'refused_client'] as const;
export type DependencyFailureKind = (typeof DEPENDENCY_FAILURE_KINDS)[number];

/**
 * What became of one attempt to deliver a downstream logout: the `outcome` dimension of LogoutDeliveryAttempted.
 * `retried`: a transport error, a timeout, a 5xx or a 429, tried again later; `failed`: kept in the dead-letter queue.
 */
export const LOGOUT_DELIVERY_OUTCOMES = ['delivered', 'retried', 'failed'] as const;
export type LogoutDeliveryOutcome = (typeof LOGOUT_DELIVERY_OUTCOMES)[number];
