import type { QueueAction, QueueName } from './queues';
import type { SecretName } from './secrets';
import type { IndexName, TableName } from './tables';

/**
 * The route table, the single source of truth for the HTTP API: the CDK stack makes one Lambda per entry
 * with exactly the grants it names, and local mode runs the template the stack synthesizes from it.
 */

/** The DynamoDB item operations guichet performs; never Scan, never a transaction. */
export type ItemAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem';

/**
 * What a route's code does with one table, operation by operation: the IAM statements are made from this
 * and nothing else, and a test checks that the code performs exactly these (test/e2e/least-privilege).
 */
export interface TableGrant {
  readonly items?: readonly ItemAction[];
  /** Indexes the code queries (`Query` on that index only, never on the table). */
  readonly queries?: readonly IndexName[];
}

/** The add-in poll's request headers: the CSRF token, and the completion code that releases the token. */
export const ADDIN_CSRF_HEADER = 'x-csrftoken';
export const ADDIN_COMPLETION_HEADER = 'x-guichet-completion';

/** What browsers on the allowed origins may send: the contract's section "Browser clients on other origins". */
export const CORS_ALLOWED_HEADERS = [
  'content-type',
  ADDIN_CSRF_HEADER,
  ADDIN_COMPLETION_HEADER,
  'authorization',
  'x-requested-with',
] as const;

/** API Gateway stage throttling of one route: steady requests per second and burst. */
export interface RouteThrottle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

/**
 * Stage throttling is shared by every caller of a route, so it caps floods, not one client (the per-address
 * rate limits in the handlers do that). Strict on the anonymous endpoints that check secrets or create state.
 */
const STRICT_THROTTLE: RouteThrottle = { rateLimit: 50, burstLimit: 100 };
/** Add-in polls: every waiting add-in polls, but long polls keep the rate low. */
const POLL_THROTTLE: RouteThrottle = { rateLimit: 100, burstLimit: 200 };

/** What a function's code touches, and so all its role allows: tables, secrets and queues, operation by operation. */
export interface FunctionGrants {
  readonly tables: Readonly<Partial<Record<TableName, TableGrant>>>;
  readonly secrets: readonly SecretName[];
  /** The SQS actions the code performs on each queue (a batch operation is authorized by its single action). */
  readonly queues?: Readonly<Partial<Record<QueueName, readonly QueueAction[]>>>;
}

/** Sessions end through one domain function (domain/session-end.ts): these grants go with it. */
const ENDS_SESSIONS = { items: ['DeleteItem', 'UpdateItem'] } as const satisfies TableGrant;
const QUEUES_LOGOUT_DELIVERIES = { logoutDeliveries: ['SendMessage'] } as const satisfies FunctionGrants['queues'];
/** Minting a user or add-in token records its audience on the session (domain/logout-audiences.ts). */
const MINTS_SESSION_TOKENS = { items: ['GetItem', 'UpdateItem'] } as const satisfies TableGrant;

export interface RouteDefinition extends FunctionGrants {
  /** PascalCase, unique: names the Lambda and its construct. */
  readonly id: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly timeoutSeconds?: number;
  /** @default the stage's: defaultThrottleRate and defaultThrottleBurst (lambdas/settings.ts) */
  readonly throttle?: RouteThrottle;
  /** The setting (lambdas/settings.ts) of the executions the function may hold at once, whatever else the account runs. */
  readonly reservedConcurrency?: 'pollReservedConcurrency';
}

export const ROUTES: readonly RouteDefinition[] = [
  {
    id: 'AuthLogin',
    method: 'GET',
    path: '/auth/login',
    entry: 'lambdas/handlers/auth/login.ts',
    tables: { loginFlows: { items: ['PutItem'] }, rateLimits: { items: ['UpdateItem'] }, idpCache: { items: ['GetItem'] } },
    secrets: [],
  },
  {
    id: 'AuthCallback',
    method: 'GET',
    path: '/auth/callback',
    entry: 'lambdas/handlers/auth/callback.ts',
    tables: {
      loginFlows: { items: ['DeleteItem'] },
      // UpdateItem notes the session against its IdP session and user; DeleteItem takes it back if the IdP ended them.
      sessions: { items: ['PutItem', 'UpdateItem', 'DeleteItem'] },
      nativeContinuations: { items: ['PutItem'] },
      idpCache: { items: ['GetItem'] },
    },
    secrets: ['oidcClientSecret'],
  },
  {
    id: 'AuthNativeContinue',
    method: 'POST',
    path: '/auth/native/continue',
    entry: 'lambdas/handlers/auth/native-continue.ts',
    tables: {
      nativeContinuations: { items: ['DeleteItem'] },
      sessions: { items: ['GetItem'] },
      exchangeCodes: { items: ['PutItem'] },
      rateLimits: { items: ['UpdateItem'] },
    },
    secrets: [],
    throttle: STRICT_THROTTLE,
  },
  {
    id: 'AuthSessionExchange',
    method: 'POST',
    path: '/auth/session-exchange',
    entry: 'lambdas/handlers/auth/session-exchange.ts',
    tables: { exchangeCodes: { items: ['DeleteItem'] }, sessions: { items: ['GetItem'] }, rateLimits: { items: ['UpdateItem'] } },
    secrets: [],
    throttle: STRICT_THROTTLE,
  },
  {
    id: 'AuthSession',
    method: 'GET',
    path: '/auth/session',
    entry: 'lambdas/handlers/auth/session.ts',
    tables: { sessions: { items: ['GetItem'] } },
    secrets: [],
  },
  {
    id: 'AuthToken',
    method: 'POST',
    path: '/auth/token',
    entry: 'lambdas/handlers/auth/token.ts',
    tables: { sessions: MINTS_SESSION_TOKENS, rateLimits: { items: ['UpdateItem'] } },
    secrets: ['signingKeys'],
  },
  {
    id: 'AuthLogout',
    method: 'POST',
    path: '/auth/logout',
    entry: 'lambdas/handlers/auth/logout.ts',
    tables: { sessions: ENDS_SESSIONS },
    secrets: [],
    queues: QUEUES_LOGOUT_DELIVERIES,
  },
  {
    id: 'AuthBackchannelLogout',
    method: 'POST',
    path: '/auth/backchannel-logout',
    entry: 'lambdas/handlers/auth/backchannel-logout.ts',
    tables: {
      // UpdateItem also notes the IdP's logout, so that no session is opened for that IdP session or user afterwards.
      sessions: { ...ENDS_SESSIONS, queries: ['bySubject', 'byIdpSession'] },
      logoutJtis: { items: ['PutItem', 'DeleteItem'] },
    },
    secrets: [],
    queues: QUEUES_LOGOUT_DELIVERIES,
  },
  {
    id: 'AddinSessionsInit',
    method: 'POST',
    path: '/addons/sessions/init',
    entry: 'lambdas/handlers/addins/sessions-init.ts',
    tables: { transitTokens: { items: ['PutItem'] }, addinSessions: { items: ['PutItem'] }, rateLimits: { items: ['UpdateItem'] } },
    secrets: ['addinCsrfKey'],
    throttle: STRICT_THROTTLE,
  },
  {
    id: 'AddinSessionsPoll',
    method: 'POST',
    path: '/addons/sessions/poll',
    entry: 'lambdas/handlers/addins/sessions-poll.ts',
    tables: {
      addinSessions: { items: ['GetItem', 'UpdateItem', 'DeleteItem'] },
      sessions: { items: ['GetItem'] },
      rateLimits: { items: ['UpdateItem'] },
    },
    secrets: ['addinCsrfKey'],
    throttle: POLL_THROTTLE,
    // Long polls hold up to 20 s; API Gateway's integration limit is 30 s.
    timeoutSeconds: 25,
    reservedConcurrency: 'pollReservedConcurrency',
  },
  {
    id: 'AddinTransitPage',
    method: 'GET',
    path: '/addons/transit',
    entry: 'lambdas/handlers/addins/transit-page.ts',
    tables: {},
    secrets: [],
  },
  {
    id: 'AddinCallbackPage',
    method: 'GET',
    path: '/addons/callback',
    entry: 'lambdas/handlers/addins/callback-page.ts',
    tables: {},
    secrets: [],
  },
  {
    id: 'AddinSessionsExchange',
    method: 'POST',
    path: '/addons/sessions/exchange',
    entry: 'lambdas/handlers/addins/sessions-exchange.ts',
    tables: {
      sessions: MINTS_SESSION_TOKENS,
      transitTokens: { items: ['UpdateItem', 'GetItem'] },
      addinSessions: { items: ['UpdateItem', 'DeleteItem'] },
      rateLimits: { items: ['UpdateItem'] },
    },
    secrets: ['signingKeys'],
    throttle: STRICT_THROTTLE,
  },
  {
    id: 'AddinSessionsDescribe',
    method: 'POST',
    path: '/addons/sessions/describe',
    entry: 'lambdas/handlers/addins/sessions-describe.ts',
    tables: { sessions: { items: ['GetItem'] }, transitTokens: { items: ['GetItem'] }, rateLimits: { items: ['UpdateItem'] } },
    secrets: [],
    throttle: STRICT_THROTTLE,
  },
  {
    id: 'AddinSessionsCancel',
    method: 'POST',
    path: '/addons/sessions/cancel',
    entry: 'lambdas/handlers/addins/sessions-cancel.ts',
    tables: {
      transitTokens: { items: ['UpdateItem', 'GetItem'] },
      addinSessions: { items: ['UpdateItem', 'DeleteItem'] },
      rateLimits: { items: ['UpdateItem'] },
    },
    secrets: [],
    throttle: STRICT_THROTTLE,
  },
  {
    id: 'Jwks',
    method: 'GET',
    path: '/.well-known/jwks.json',
    entry: 'lambdas/handlers/well-known/jwks.ts',
    tables: {},
    secrets: ['signingKeys'],
  },
  {
    id: 'OAuthToken',
    method: 'POST',
    path: '/oauth/token',
    entry: 'lambdas/handlers/oauth/token.ts',
    tables: {
      applications: { items: ['GetItem'] },
      sessions: MINTS_SESSION_TOKENS,
      rateLimits: { items: ['UpdateItem'] },
      clientAssertionJtis: { items: ['PutItem'] },
      applicationKeys: { items: ['GetItem', 'UpdateItem'] },
    },
    secrets: ['signingKeys'],
    throttle: STRICT_THROTTLE,
  },
  {
    id: 'AuthorizationServerMetadata',
    method: 'GET',
    path: '/.well-known/oauth-authorization-server',
    entry: 'lambdas/handlers/well-known/authorization-server.ts',
    tables: {},
    secrets: [],
  },
  {
    // API Gateway's JWT authorizer discovers the JWKS of an issuer through this document.
    id: 'OpenIdConfiguration',
    method: 'GET',
    path: '/.well-known/openid-configuration',
    entry: 'lambdas/handlers/well-known/authorization-server.ts',
    tables: {},
    secrets: [],
  },
  {
    id: 'ExternalApiMe',
    method: 'GET',
    path: '/external-api/v1.0/me',
    entry: 'lambdas/handlers/external-api/me.ts',
    tables: {},
    secrets: [],
  },
];

export const DEFAULT_TIMEOUT_SECONDS = 10;

/**
 * The functions that no route invokes: the SQS delivery of downstream logouts and the sweeper of their outbox. The
 * stack makes each with exactly these grants, as it does for the routes.
 */
export interface WorkerDefinition extends FunctionGrants {
  readonly id: string;
  readonly entry: string;
  readonly timeoutSeconds: number;
}

export const LOGOUT_DELIVERY_WORKER: WorkerDefinition = {
  id: 'LogoutDelivery',
  entry: 'lambdas/downstream-logout/delivery.ts',
  tables: {},
  secrets: ['signingKeys'],
  queues: {
    // Receive, GetQueueAttributes and Delete are the event source mapping's, which acts with the function's role;
    // the code deletes too (a delivered message at once) and changes the visibility of the ones it retries.
    logoutDeliveries: ['ReceiveMessage', 'GetQueueAttributes', 'DeleteMessage', 'ChangeMessageVisibility'],
    failedLogoutDeliveries: ['SendMessage'],
  },
  // One batch: its deliveries run side by side, each within its 5 s limit, and a few SQS calls.
  timeoutSeconds: 10,
};

export const LOGOUT_OUTBOX_SWEEPER: WorkerDefinition = {
  id: 'LogoutOutboxSweeper',
  entry: 'lambdas/downstream-logout/outbox-sweeper.ts',
  tables: { sessions: { items: ['GetItem', 'DeleteItem'], queries: ['byLogoutOutbox'] } },
  secrets: [],
  queues: QUEUES_LOGOUT_DELIVERIES,
  timeoutSeconds: 60,
};
