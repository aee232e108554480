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
/** Every other route, unless the operator sets another default. */
export const DEFAULT_THROTTLE: RouteThrottle = { rateLimit: 500, burstLimit: 1000 };

export interface RouteDefinition {
  /** PascalCase, unique: names the Lambda and its construct. */
  readonly id: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  /** Handler module, relative to the repository root; it exports `handler`. */
  readonly entry: string;
  readonly tables: Readonly<Partial<Record<TableName, TableGrant>>>;
  readonly secrets: readonly SecretName[];
  readonly timeoutSeconds?: number;
  /** @default DEFAULT_THROTTLE, or the operator's default */
  readonly throttle?: RouteThrottle;
  /** Executions the function may hold at once, whatever else the account runs (context may override). */
  readonly reservedConcurrency?: number;
}

/**
 * The add-in poll's share of the account's concurrency: long polls hold a Lambda up to 20 s, so without a cap a
 * burst of them could take the concurrency every other function needs. 100 leaves 900 of the default 1,000.
 */
export const DEFAULT_POLL_RESERVED_CONCURRENCY = 100;

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
      exchangeCodes: { items: ['PutItem'] },
      idpCache: { items: ['GetItem'] },
    },
    secrets: ['oidcClientSecret'],
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
    tables: { sessions: { items: ['GetItem'] }, rateLimits: { items: ['UpdateItem'] } },
    secrets: ['signingKeys'],
  },
  {
    id: 'AuthLogout',
    method: 'POST',
    path: '/auth/logout',
    entry: 'lambdas/handlers/auth/logout.ts',
    tables: { sessions: { items: ['DeleteItem'] } },
    secrets: [],
  },
  {
    id: 'AuthBackchannelLogout',
    method: 'POST',
    path: '/auth/backchannel-logout',
    entry: 'lambdas/handlers/auth/backchannel-logout.ts',
    tables: {
      // UpdateItem notes the IdP's logout, so that no session is opened for that IdP session or user afterwards.
      sessions: { items: ['UpdateItem', 'DeleteItem'], queries: ['bySubject', 'byIdpSession'] },
      logoutJtis: { items: ['PutItem', 'DeleteItem'] },
    },
    secrets: [],
  },
  {
    id: 'AddonsSessionsInit',
    method: 'POST',
    path: '/addons/sessions/init',
    entry: 'lambdas/handlers/addons/sessions-init.ts',
    tables: { transitTokens: { items: ['PutItem'] }, addonSessions: { items: ['PutItem'] }, rateLimits: { items: ['UpdateItem'] } },
    secrets: ['addonsCsrfKey'],
    throttle: STRICT_THROTTLE,
  },
  {
    id: 'AddonsSessionsPoll',
    method: 'POST',
    path: '/addons/sessions/poll',
    entry: 'lambdas/handlers/addons/sessions-poll.ts',
    tables: {
      addonSessions: { items: ['GetItem', 'UpdateItem', 'DeleteItem'] },
      sessions: { items: ['GetItem'] },
      rateLimits: { items: ['UpdateItem'] },
    },
    secrets: ['addonsCsrfKey', 'signingKeys'],
    throttle: POLL_THROTTLE,
    // Long polls hold up to 20 s; API Gateway's integration limit is 30 s.
    timeoutSeconds: 25,
    reservedConcurrency: DEFAULT_POLL_RESERVED_CONCURRENCY,
  },
  {
    id: 'AddonsTransitPage',
    method: 'GET',
    path: '/addons/transit',
    entry: 'lambdas/handlers/addons/transit-page.ts',
    tables: {},
    secrets: [],
  },
  {
    id: 'AddonsCallbackPage',
    method: 'GET',
    path: '/addons/callback',
    entry: 'lambdas/handlers/addons/callback-page.ts',
    tables: {},
    secrets: [],
  },
  {
    id: 'AddonsSessionsExchange',
    method: 'POST',
    path: '/addons/sessions/exchange',
    entry: 'lambdas/handlers/addons/sessions-exchange.ts',
    tables: {
      sessions: { items: ['GetItem'] },
      transitTokens: { items: ['UpdateItem', 'GetItem'] },
      addonSessions: { items: ['UpdateItem', 'DeleteItem'] },
      rateLimits: { items: ['UpdateItem'] },
    },
    secrets: [],
    throttle: STRICT_THROTTLE,
  },
  {
    id: 'AddonsSessionsDescribe',
    method: 'POST',
    path: '/addons/sessions/describe',
    entry: 'lambdas/handlers/addons/sessions-describe.ts',
    tables: { sessions: { items: ['GetItem'] }, transitTokens: { items: ['GetItem'] }, rateLimits: { items: ['UpdateItem'] } },
    secrets: [],
    throttle: STRICT_THROTTLE,
  },
  {
    id: 'AddonsSessionsCancel',
    method: 'POST',
    path: '/addons/sessions/cancel',
    entry: 'lambdas/handlers/addons/sessions-cancel.ts',
    tables: {
      transitTokens: { items: ['UpdateItem', 'GetItem'] },
      addonSessions: { items: ['UpdateItem', 'DeleteItem'] },
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
    tables: { applications: { items: ['GetItem'] }, sessions: { items: ['GetItem'] }, rateLimits: { items: ['UpdateItem'] } },
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
