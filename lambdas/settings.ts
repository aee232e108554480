import type { RouteThrottle } from './routes';
import {
  type ApiAudiences,
  apiAudiencesProblems,
  audienceScopes,
  bareOriginProblem,
  corsOriginProblem,
  httpUrlProblem,
  issuerProblem,
  logoutDeliveryMaxAgeProblem,
  nativeSchemeProblem,
  userTokenTtlProblem,
} from './shared/setting-rules';
import { SIGNING_ALGORITHMS } from './shared/signing-algorithms';

/**
 * Every setting an operator or a developer sets, described once: its variable, its context key (the key of its
 * entry), how its value is written, its default, its rule, and, in the comment above its entry, its documentation
 * (`npm run docs` writes docs/configuration.md from these comments). Everything else reads this file: the Lambdas'
 * configuration (lambdas/shared/config.ts), the stack's props and their validation (lib/guichet-config.ts), the
 * Lambdas' environment (lib/lambda-environment.ts), local mode's defaults (lib/settings-context.ts, local/).
 *
 * Three tables, by who reads them: LAMBDA_SETTINGS reach the Lambdas, STACK_SETTINGS only the stack, LOCAL_SETTINGS
 * only local mode. The Lambdas bundle the first alone (the builders below have no side effects, so a bundle drops
 * the tables it does not use), and the documentation lives in comments, which a bundle drops: keep this file plain
 * data and small rules, with no import of the CDK or of anything heavy.
 */

/**
 * How a value is written, in its variable (always text) or its context key (text with `-c`, or a JSON value in
 * cdk.json): `text` as it is, trimmed; `count` a positive whole number; `number` a decimal number; `port` a port
 * number (0 picks a free one); `list` comma-separated (or a JSON array); `json` JSON; `flag` true or false.
 */
export type SettingKind = 'text' | 'count' | 'number' | 'port' | 'list' | 'json' | 'flag';

interface KindValues {
  readonly text: string;
  readonly count: number;
  readonly number: number;
  readonly port: number;
  readonly list: readonly string[];
  readonly json: unknown;
  readonly flag: boolean;
}

/** What a rule finds wrong: nothing, a problem, or several; each for the reader to prefix with the setting's name. */
export type Problems = string | readonly (string | undefined)[] | undefined;

export interface CheckContext {
  /** The settings read with this one, by key (unset ones absent): for the rules that depend on another. */
  readonly settings: Readonly<Record<string, unknown>>;
  /** The ids of the route table, which the stack passes: `routeThrottles` names routes by id. */
  readonly routeIds?: readonly string[];
}

/** What every setting may say, each field typed by the setting's value V in the builders below. */
interface Options<V> {
  /** Its environment variable: the Lambdas', the rotation function's (`signingAlgorithm`) or local mode's. */
  readonly envVar?: string;
  /** Without it nothing runs: the stack is not synthesized, a Lambda fails its init. */
  readonly required?: true;
  /** No context key: the stack sets the variable itself. */
  readonly stackSets?: true;
  /** Stands for the value in the message that says a required setting is missing. */
  readonly placeholder?: string;
  /** The value when unset. */
  readonly default?: V;
  /** The value when unset, made from the public URL (without its trailing slash). */
  readonly derive?: (publicUrl: string) => V;
  /** What the default is, where its reader computes it (from other settings, ports, the machine). */
  readonly defaultText?: string;
  /** Local mode's value when unset, where it differs from `default`. */
  readonly localDefault?: V;
  /** What local mode's default is, where local mode computes it at start. */
  readonly localDefaultText?: string;
  /** A value as an operator would write it (for JSON ones: their shape), shown in the reference. */
  readonly example?: V;
  /** The form the readers hand on, once the value passed its rules. */
  readonly normalize?: (value: V) => V;
}

/** A setting as the readers see it, whatever its value. */
export interface SettingDefinition extends Omit<Options<unknown>, 'normalize'> {
  readonly kind: SettingKind;
  /** The only values a `text` setting may take. */
  readonly oneOf?: readonly string[];
  readonly normalize?: (value: never) => unknown;
  /** The rule of the whole value, beyond its kind's. */
  readonly check?: (value: never, context: CheckContext) => Problems;
  /** The rule of each item of a `list`. */
  readonly checkEach?: (item: string) => string | undefined;
}

export type SettingTable = Readonly<Record<string, SettingDefinition>>;

/** Where a JSON setting's builder records the type of its value (types only: no entry holds it). */
declare const valueType: unique symbol;

/** The value of a setting, as its readers hand it on. */
export type SettingValue<S> = S extends { readonly kind: 'json'; readonly [valueType]?: infer V }
  ? V
  : S extends { readonly oneOf: readonly (infer V)[] }
    ? V
    : S extends { readonly kind: infer K extends keyof KindValues }
      ? KindValues[K]
      : never;

/** Every setting of a table, with its value. */
export type SettingValues<T> = { readonly [K in keyof T]: SettingValue<T[K]> };

type SetByStack = { readonly stackSets: true };
type MustBeSet = { readonly required: true };

/** The settings of a table an operator may set at deploy (all but `stackSets` ones), by context key; required ones required. */
type ContextProps<T> = {
  readonly [K in keyof T as T[K] extends SetByStack ? never : T[K] extends MustBeSet ? K : never]: SettingValue<T[K]>;
} & {
  readonly [K in keyof T as T[K] extends SetByStack | MustBeSet ? never : K]?: SettingValue<T[K]>;
};

/** Every context key an operator sets, typed: the props of the stack (lib/guichet-config.ts). */
export type SettingProps = ContextProps<typeof LAMBDA_SETTINGS> & ContextProps<typeof STACK_SETTINGS>;

interface ScalarOptions<V> extends Options<V> {
  readonly check?: (value: V, context: CheckContext) => Problems;
}

interface ListOptions extends Options<readonly string[]> {
  readonly checkEach?: (item: string) => string | undefined;
}

/** The parsed JSON reaches the rule unchecked, hence `unknown`; it has type V once the rule found nothing. */
interface JsonOptions<V> extends Options<V> {
  readonly check?: (value: unknown, context: CheckContext) => Problems;
}

/* @__NO_SIDE_EFFECTS__ */
function text<const O extends ScalarOptions<string>>(options: O) {
  return { kind: 'text', ...options } as const;
}

/* @__NO_SIDE_EFFECTS__ */
function oneOf<const V extends string, const O extends ScalarOptions<NoInfer<V>>>(values: readonly V[], options: O) {
  return { kind: 'text', oneOf: values, ...options } as const;
}

/* @__NO_SIDE_EFFECTS__ */
function count<const O extends ScalarOptions<number>>(options: O) {
  return { kind: 'count', ...options } as const;
}

/* @__NO_SIDE_EFFECTS__ */
function decimal<const O extends ScalarOptions<number>>(options: O) {
  return { kind: 'number', ...options } as const;
}

/* @__NO_SIDE_EFFECTS__ */
function port<const O extends ScalarOptions<number>>(options: O) {
  return { kind: 'port', ...options } as const;
}

/* @__NO_SIDE_EFFECTS__ */
function list<const O extends ListOptions>(options: O) {
  return { kind: 'list', ...options } as const;
}

/* @__NO_SIDE_EFFECTS__ */
function flag<const O extends ScalarOptions<boolean>>(options: O) {
  return { kind: 'flag', ...options } as const;
}

/* @__NO_SIDE_EFFECTS__ */
function json<V>(options: JsonOptions<V>): JsonOptions<V> & { readonly kind: 'json'; readonly [valueType]?: V } {
  return { kind: 'json', ...options };
}

/**
 * The Lambdas read these at init, each from its variable. A deploy sets the variable from the context key for every
 * Lambda that reads the configuration; a key left unset leaves its variable out, and the Lambdas apply the default.
 */
export const LAMBDA_SETTINGS = {
  /**
   * Public base URL of the API, without a trailing slash: the issuer of the tokens guichet mints and the base of the
   * addresses it hands out. Set by the stack, not by a context key.
   */
  publicUrl: text({
    envVar: 'GUICHET_PUBLIC_URL',
    required: true,
    stackSets: true,
    defaultText: "the API's URL, or `https://` + `customDomainName`",
    localDefaultText: '`http://127.0.0.1:8787`, on the port `PORT` names',
    check: httpUrlProblem,
    normalize: (url) => url.replace(/\/+$/, ''),
  }),
  /**
   * Issuer of the upstream IdP (discovery at `/.well-known/openid-configuration`): an https URL, or http on a
   * loopback host, without query or fragment.
   */
  oidcIssuer: text({
    envVar: 'OIDC_ISSUER',
    required: true,
    placeholder: 'https://...',
    localDefaultText: 'the embedded development IdP',
    check: issuerProblem,
  }),
  /**
   * guichet's client id at the IdP. Its client secret goes, after the first deploy, into the secret the
   * `OidcClientSecretArn` output names.
   */
  oidcClientId: text({
    envVar: 'OIDC_CLIENT_ID',
    required: true,
    placeholder: '...',
    localDefaultText: "the development IdP's client",
  }),
  /** Scopes asked at login, space-separated. */
  oidcScopes: text({ envVar: 'OIDC_SCOPES', default: 'openid email profile' }),
  /** Bare origins (`https://app.example.com`) a web login may return to (`returnTo`). */
  returnToOrigins: list({
    envVar: 'RETURN_TO_ORIGINS',
    derive: (publicUrl) => [new URL(publicUrl).origin],
    defaultText: 'origin of `GUICHET_PUBLIC_URL`',
    checkEach: bareOriginProblem,
  }),
  /**
   * Custom URL schemes native apps may be sent back to, compared in lower case: never one a browser handles itself
   * (`http`, `https`, `javascript`, `data`, `file`…).
   */
  nativeAppRedirectSchemes: list({
    envVar: 'NATIVE_APP_REDIRECT_SCHEMES',
    default: ['visio'],
    checkEach: nativeSchemeProblem,
    normalize: (schemes) => schemes.map((scheme) => scheme.toLowerCase()),
  }),
  /** Lifetime of a web or native session, in seconds. */
  sessionTtlSeconds: count({ envVar: 'SESSION_TTL_SECONDS', default: 43_200 }),
  /** Logins one client address may start per window before it gets 429. */
  loginRateLimit: count({ envVar: 'LOGIN_RATE_LIMIT', default: 300 }),
  /** The window of `loginRateLimit`, in seconds. */
  loginRateLimitWindowSeconds: count({ envVar: 'LOGIN_RATE_LIMIT_WINDOW_SECONDS', default: 300 }),
  /** Lifetime of a native app's one-time exchange code, in seconds. */
  exchangeCodeTtlSeconds: count({ envVar: 'EXCHANGE_CODE_TTL_SECONDS', default: 30 }),
  /** Failed `/auth/session-exchange` calls one client address may make per window before it gets 429. */
  sessionExchangeFailureLimit: count({ envVar: 'SESSION_EXCHANGE_FAILURE_LIMIT', default: 10 }),
  /** The window of `sessionExchangeFailureLimit`, in seconds. */
  sessionExchangeFailureWindowSeconds: count({ envVar: 'SESSION_EXCHANGE_FAILURE_WINDOW_SECONDS', default: 300 }),
  /** Lifetime of an add-in login session, in seconds. */
  addonsSessionTtlSeconds: count({ envVar: 'ADDONS_SESSION_TTL_SECONDS', default: 600 }),
  /** Add-in sessions opened, and failed add-in confirmations, one client address may make per window before it gets 429. */
  addonsRateLimit: count({ envVar: 'ADDONS_RATE_LIMIT', default: 30 }),
  /** The window of `addonsRateLimit` and `addonsPollLimit`, in seconds. */
  addonsRateLimitWindowSeconds: count({ envVar: 'ADDONS_RATE_LIMIT_WINDOW_SECONDS', default: 300 }),
  /** Add-in polls one client address may make per add-in window. */
  addonsPollLimit: count({ envVar: 'ADDONS_POLL_LIMIT', default: 600 }),
  /** Long polls one client address may start per long-poll period (20 s); beyond, its polls are answered at once. */
  addonsLongPollLimit: count({ envVar: 'ADDONS_LONG_POLL_LIMIT', default: 20 }),
  /** Lifetime of an add-in transit token, in seconds. */
  addonsTransitTokenTtlSeconds: count({ envVar: 'ADDONS_TRANSIT_TOKEN_TTL_SECONDS', default: 120 }),
  /** Scope of the access tokens add-ins receive. */
  addonsTokenScope: text({ envVar: 'ADDONS_TOKEN_SCOPE', default: 'addons' }),
  /** Lifetime of the access tokens add-ins receive, in seconds. */
  addonsTokenTtlSeconds: count({ envVar: 'ADDONS_TOKEN_TTL_SECONDS', default: 3600 }),
  /** Lifetime of client-credentials access tokens, in seconds. */
  accessTokenTtlSeconds: count({ envVar: 'ACCESS_TOKEN_TTL_SECONDS', default: 3600 }),
  /**
   * `aud` of the access tokens guichet mints (client credentials, add-ins; user tokens when listed in
   * `apiAudiences`), and the audience the stack's `guichetTokenAuthorizer` accepts.
   */
  accessTokenAudience: text({
    envVar: 'ACCESS_TOKEN_AUDIENCE',
    derive: (publicUrl) => `${publicUrl}/external-api`,
    defaultText: '`GUICHET_PUBLIC_URL` + `/external-api`',
  }),
  /** Failed `/oauth/token` and `/auth/token` calls one client address may make per window before it gets 429. */
  tokenFailureLimit: count({ envVar: 'TOKEN_FAILURE_LIMIT', default: 20 }),
  /** The window of `tokenFailureLimit`, in seconds. */
  tokenFailureWindowSeconds: count({ envVar: 'TOKEN_FAILURE_WINDOW_SECONDS', default: 300 }),
  /** How long a Lambda keeps the signing keys, and verifiers may cache the JWKS (its `max-age`), in seconds. */
  signingKeysCacheSeconds: count({ envVar: 'SIGNING_KEYS_CACHE_SECONDS', default: 300 }),
  /**
   * Exact browser origins (`scheme://host[:port]`) allowed to call guichet with credentials (CORS): https unless on
   * `127.0.0.1`, `[::1]` or `localhost`; no path (not even a trailing `/`), query, fragment, user info, wildcard or
   * `null`.
   */
  corsOrigins: list({
    envVar: 'CORS_ORIGINS',
    default: [],
    localDefaultText: "the playground's second origin, `http://127.0.0.1:$PLAYGROUND_APP_PORT`",
    example: ['https://app.example.com'],
    checkEach: corsOriginProblem,
  }),
  /**
   * Product-API audience URI → the scopes a user token for it may carry (token exchange), or
   * `{"scopes": [...], "backchannel_logout_uri": "..."}` for an API told of every session that ends after it was
   * issued a token. At most 20 audiences, each an absolute https URI (http on a loopback host) without fragment, of
   * at most 255 characters, with a non-empty list of distinct scopes; a logout endpoint is https (loopback http with
   * `allowLoopbackEndpoints` only).
   */
  apiAudiences: json<ApiAudiences>({
    envVar: 'API_AUDIENCES',
    default: {},
    localDefaultText: "the example product API, `https://api.product.example`, with its logout endpoint on the playground's second origin",
    example: {
      'https://api.example.com': ['profile:read'],
      'https://notes.example.com': { scopes: ['notes:write'], backchannel_logout_uri: 'https://notes.example.com/logout' },
    },
    check: (audiences, { settings }) => apiAudiencesProblems(audiences, { allowLoopback: settings.allowLoopbackEndpoints === true }),
  }),
  /** Lifetime of user tokens minted from a session, in seconds, never beyond the session's expiry; at most 3600. */
  userTokenTtlSeconds: count({
    envVar: 'USER_TOKEN_TTL_SECONDS',
    default: 300,
    check: userTokenTtlProblem,
  }),
  /**
   * How long guichet keeps retrying a downstream back-channel logout (to a `backchannel_logout_uri` of
   * `apiAudiences`), from the moment its session ended, in seconds; at most 604800 (a week).
   */
  logoutDeliveryMaxAgeSeconds: count({
    envVar: 'LOGOUT_DELIVERY_MAX_AGE_SECONDS',
    default: 86_400,
    check: logoutDeliveryMaxAgeProblem,
  }),
  /** Lets endpoints chosen by others (logout URIs, `jwks_uri`) be on loopback: for local mode, never a deploy. */
  allowLoopbackEndpoints: flag({ envVar: 'ALLOW_LOOPBACK_ENDPOINTS', default: false, localDefault: true }),
} as const satisfies SettingTable;

/**
 * The stack alone reads these, at deploy: none reaches the Lambdas' configuration (`signingAlgorithm` goes to the
 * signing-keys rotation function only). A key left unset gets the default.
 */
export const STACK_SETTINGS = {
  /**
   * Algorithm of the keys the rotation function generates (it receives it as `SIGNING_ALGORITHM`). API Gateway's JWT
   * authorizer verifies RSA signatures only, so ES256 leaves `guichetTokenAuthorizer` unusable.
   */
  signingAlgorithm: oneOf(SIGNING_ALGORITHMS, { envVar: 'SIGNING_ALGORITHM', default: 'RS256' }),
  /**
   * Reserved concurrency of the add-in poll function: long polls hold a function up to 20 s, so without a cap a burst
   * of them could take the concurrency every other function needs (100 leaves 900 of the default 1000). At most 1000,
   * a Region's default quota.
   */
  pollReservedConcurrency: count({
    default: 100,
    check: (concurrency) => atMost(1000, concurrency, "a Region's default concurrency quota"),
  }),
  /** Failed client authentications at the token endpoint, summed over 5 minutes, that raise the alarm. */
  authFailureAlarmThreshold: count({ default: 50 }),
  /** Rejected back-channel logout tokens in 5 minutes that raise an alarm. */
  logoutRejectionAlarmThreshold: count({ default: 20 }),
  /** Requests failed by a dependency (IdP, DynamoDB, Secrets Manager) in 5 minutes that raise an alarm. */
  dependencyFailureAlarmThreshold: count({ default: 10 }),
  /** Share of the API's requests answered 5xx over 5 minutes, in percent, that raises an alarm. */
  serverErrorRateAlarmPercent: decimal({
    default: 5,
    check: (percent) => (percent > 0 && percent <= 100 ? undefined : `must be above 0 and at most 100, got ${percent}`),
  }),
  /**
   * Every alarm notifies this address, through an encrypted SNS topic the stack creates (output `AlarmTopicArn`);
   * the recipient confirms the subscription. Unset, alarms have no action.
   */
  alarmEmail: text({ example: 'ops@example.com', check: emailAddressProblem }),
  /** API Gateway stage throttling, in requests per second, of the routes the route table gives none of their own. */
  defaultThrottleRate: count({ default: 500 }),
  /** The burst of `defaultThrottleRate`. */
  defaultThrottleBurst: count({ default: 1000 }),
  /**
   * Stage throttling by route id, replacing the route table's (lambdas/routes.ts, where the token, exchange and
   * add-in routes have strict ones) and the default.
   */
  routeThrottles: json<Readonly<Record<string, RouteThrottle>>>({
    example: { OAuthToken: { rateLimit: 100, burstLimit: 200 } },
    check: routeThrottlesProblems,
  }),
  /**
   * Serves the API on this domain, with `certificateArn`: the public URL becomes `https://<customDomainName>`, and
   * the API's own execute-api endpoint is closed.
   */
  customDomainName: text({
    example: 'auth.example.com',
    check: (domainName, { settings }) => [
      HOST_NAME.test(domainName) ? undefined : `must be a host name such as auth.example.com, got "${domainName}"`,
      settings.certificateArn === undefined ? "needs certificateArn: an ACM certificate in the stack's region" : undefined,
    ],
  }),
  /** The ACM certificate of `customDomainName`, in the stack's region. */
  certificateArn: text({
    example: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab',
    check: (arn, { settings }) => [
      ACM_CERTIFICATE_ARN.test(arn) ? undefined : `must be an ACM certificate ARN, got "${arn}"`,
      settings.customDomainName === undefined ? 'needs customDomainName: the domain the certificate is for' : undefined,
    ],
  }),
  /**
   * Adds the example of a product API: one route that accepts user tokens for this audience (one of
   * `apiAudiences`) carrying this scope, checked by `guichetTokenAuthorizerFor`, with no code of guichet's.
   */
  exampleProductApi: json<ExampleProductApi>({
    localDefaultText: 'the example product API of `apiAudiences`, while it is listed',
    example: { audience: 'https://api.example.com', scope: 'profile:read' },
    check: exampleProductApiProblems,
  }),
  /** Retention of the Lambda and access logs, in days: one of CloudWatch Logs' retentions. */
  logRetentionDays: count({
    default: 30,
    check: (days) =>
      LOG_RETENTION_DAYS.includes(days)
        ? undefined
        : `must be a CloudWatch Logs retention in days (${LOG_RETENTION_DAYS.join(', ')}), got ${days}`,
  }),
} as const satisfies SettingTable;

/** Local mode alone reads these (`npm start`, the operator CLI against it, the tests): no deploy has them. */
export const LOCAL_SETTINGS = {
  /** Port of the local API. */
  port: port({ envVar: 'PORT', default: 8787 }),
  /** Port of the local DynamoDB API, for the CLI and other tools. */
  dynamodbPort: port({ envVar: 'DYNAMODB_PORT', default: 8000 }),
  /** Port of the development IdP, which runs while `OIDC_ISSUER` is unset. */
  devIdpPort: port({ envVar: 'DEV_IDP_PORT', defaultText: '`PORT` + 1 (a free port when `PORT` is 0)' }),
  /** Port of the playground's second origin: a product's web app and add-in, calling guichet with CORS. */
  playgroundAppPort: port({ envVar: 'PLAYGROUND_APP_PORT', defaultText: '`PORT` + 2 (a free port when `PORT` is 0)' }),
  /**
   * guichet's client secret at the IdP `OIDC_ISSUER` names: local mode puts it into the client secret's secret, as an
   * operator does after a deploy (deployed, it lives in Secrets Manager alone).
   */
  oidcClientSecret: text({ envVar: 'OIDC_CLIENT_SECRET', defaultText: "the development IdP's client's" }),
  /** An external DynamoDB API (DynamoDB Local, say) instead of the embedded engine. */
  dynamodbEndpoint: text({ envVar: 'DYNAMODB_ENDPOINT', defaultText: 'unset: the embedded dynalite' }),
  /** Where a running `npm start` writes its state file, which the operator CLI reads. */
  guichetLocalDir: text({ envVar: 'GUICHET_LOCAL_DIR', defaultText: '`~/.guichet`' }),
  /** Where synthesized assemblies and their bundles are kept. */
  guichetCacheDir: text({
    envVar: 'GUICHET_CACHE_DIR',
    defaultText: '`$XDG_CACHE_HOME/guichet/<checkout>`, else `~/.cache/guichet/<checkout>`',
  }),
  /**
   * What the console shows: one line per request plus the functions' warnings and errors (`compact`), the functions'
   * records as they are (`json`), or nothing (`quiet`).
   */
  guichetLocalLog: oneOf(['compact', 'json', 'quiet'], { envVar: 'GUICHET_LOCAL_LOG', default: 'compact' }),
  /** The Node.js 24 binary that runs the functions. */
  guichetLambdaNode: text({
    envVar: 'GUICHET_LAMBDA_NODE',
    defaultText: 'the one of the npm package `node-<platform>-<arch>` that `npm ci` installs',
  }),
  /** The browser of the browser tests. */
  chromiumPath: text({ envVar: 'CHROMIUM_PATH', defaultText: 'the one `npm ci` brings (`@sparticuz/chromium`)' }),
} as const satisfies SettingTable;

export type LambdaSettings = typeof LAMBDA_SETTINGS;
export type StackSettings = typeof STACK_SETTINGS;

/** The example route of `exampleProductApi`. */
export interface ExampleProductApi {
  readonly audience: string;
  readonly scope: string;
}

/** CloudWatch Logs' retentions, in days (9999: never expire), as aws-cdk-lib's `RetentionDays` lists them. */
export const LOG_RETENTION_DAYS: readonly number[] = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653, 9999,
];

const HOST_NAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/i;
const ACM_CERTIFICATE_ARN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/;

function atMost(maximum: number, value: number, why: string): string | undefined {
  return value > maximum ? `must be at most ${maximum} (${why}), got ${value}` : undefined;
}

function emailAddressProblem(address: string): string | undefined {
  const at = address.lastIndexOf('@');
  const valid = at > 0 && /^[\w.!#$%&'*+/=?^`{|}~-]{1,64}$/.test(address.slice(0, at)) && HOST_NAME.test(address.slice(at + 1));
  return valid ? undefined : `must be an e-mail address, got "${address}"`;
}

function routeThrottlesProblems(throttles: unknown, { routeIds = [] }: CheckContext): Problems {
  if (typeof throttles !== 'object' || throttles === null || Array.isArray(throttles)) {
    return `must map route ids to { rateLimit, burstLimit }, got ${JSON.stringify(throttles)}`;
  }
  return Object.entries(throttles).flatMap(([id, throttle]) => [
    ...(routeIds.includes(id) ? [] : [`"${id}" is no route id (${routeIds.join(', ')})`]),
    ...(['rateLimit', 'burstLimit'] as const).flatMap((limit) => {
      const value = (throttle as Partial<RouteThrottle> | null)?.[limit];
      return Number.isSafeInteger(value) && value! > 0 ? [] : [`${id}.${limit} must be a positive whole number, got ${value}`];
    }),
  ]);
}

/** The example must be reachable with a user token guichet would mint: a listed audience and one of its scopes. */
function exampleProductApiProblems(example: unknown, { settings }: CheckContext): Problems {
  const { audience, scope } = (example ?? {}) as Partial<ExampleProductApi>;
  if (typeof audience !== 'string' || typeof scope !== 'string') {
    return `must be { "audience": "<one of apiAudiences>", "scope": "<one of its scopes>" }, got ${JSON.stringify(example)}`;
  }
  const apiAudiences = settings.apiAudiences as ApiAudiences | undefined;
  const registered = apiAudiences && Object.hasOwn(apiAudiences, audience) ? apiAudiences[audience] : undefined;
  const scopes = registered && audienceScopes(registered);
  if (!scopes) return `audience "${audience}" is not listed in apiAudiences`;
  return scopes.includes(scope) ? undefined : `scope "${scope}" is not among the scopes of "${audience}" (${scopes.join(', ')})`;
}
