/**
 * The DynamoDB tables, defined once: the CDK stack creates them from this list, the local runtime creates
 * the same tables in dynalite, and each repository reads its table name from `envVar`.
 * Every table is keyed by a string attribute `id`; short-lived tables expire through `expiresAt` (epoch
 * seconds), which the code also checks on every read because TTL deletion lags.
 */
export interface IndexDefinition {
  readonly name: IndexName;
  readonly partitionKey: string;
}

export interface TableDefinition {
  /** Environment variable that carries the table name to the Lambdas granted access to it. */
  readonly envVar: string;
  readonly ttlAttribute?: typeof TTL_ATTRIBUTE;
  /** Sparse, keys-only global secondary indexes. */
  readonly indexes?: readonly IndexDefinition[];
}

/** Every index of every table: a route names the ones it queries. */
export type IndexName = 'bySubject' | 'byIdpSession' | 'byLogoutOutbox';

export const PARTITION_KEY = 'id';
export const TTL_ATTRIBUTE = 'expiresAt';

export const TABLES = {
  sessions: {
    envVar: 'SESSIONS_TABLE',
    ttlAttribute: TTL_ATTRIBUTE,
    indexes: [
      { name: 'bySubject', partitionKey: 'subjectKey' },
      { name: 'byIdpSession', partitionKey: 'idpSessionKey' },
      /** Ended sessions whose logout deliveries may not be queued yet: the outbox the sweeper reads. */
      { name: 'byLogoutOutbox', partitionKey: 'logoutOutbox' },
    ],
  },
  loginFlows: { envVar: 'LOGIN_FLOWS_TABLE', ttlAttribute: TTL_ATTRIBUTE },
  exchangeCodes: { envVar: 'EXCHANGE_CODES_TABLE', ttlAttribute: TTL_ATTRIBUTE },
  /**
   * Native logins waiting for the person's click on the confirmation page: written by the callback, consumed by
   * /auth/native/continue alone. Not the exchange codes' table, so that neither step can consume the other's value.
   */
  nativeContinuations: { envVar: 'NATIVE_CONTINUATIONS_TABLE', ttlAttribute: TTL_ATTRIBUTE },
  addinSessions: { envVar: 'ADDIN_SESSIONS_TABLE', ttlAttribute: TTL_ATTRIBUTE },
  transitTokens: { envVar: 'TRANSIT_TOKENS_TABLE', ttlAttribute: TTL_ATTRIBUTE },
  logoutJtis: { envVar: 'LOGOUT_JTIS_TABLE', ttlAttribute: TTL_ATTRIBUTE },
  applications: { envVar: 'APPLICATIONS_TABLE' },
  rateLimits: { envVar: 'RATE_LIMITS_TABLE', ttlAttribute: TTL_ATTRIBUTE },
  /** The IdP's discovery document and JWKS, one item per issuer, written by the refresher Lambda alone. */
  idpCache: { envVar: 'IDP_CACHE_TABLE', ttlAttribute: TTL_ATTRIBUTE },
  /** The `jti` of every client assertion accepted (private_key_jwt), kept until the assertion is dead. */
  clientAssertionJtis: { envVar: 'CLIENT_ASSERTION_JTIS_TABLE', ttlAttribute: TTL_ATTRIBUTE },
  /** The JWKS fetched from applications' `jwks_uri`, one item per application, written by the token function. */
  applicationKeys: { envVar: 'APPLICATION_KEYS_TABLE', ttlAttribute: TTL_ATTRIBUTE },
} as const satisfies Record<string, TableDefinition>;

export type TableName = keyof typeof TABLES;

export const TABLE_NAMES = Object.keys(TABLES) as TableName[];
