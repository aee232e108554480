import {
  apiAudiencesProblems,
  audienceLogoutUri,
  audienceScopes,
  corsOriginProblem,
  issuerProblem,
  logoutDeliveryMaxAgeProblem,
  userTokenTtlProblem,
  type ApiAudienceValue,
} from './setting-rules';
import { DEFAULT_SIGNING_KEYS_CACHE_SECONDS, SIGNED_TOKEN_LIFETIMES } from './signing-key-schedule';

/**
 * Typed configuration, read from the environment once per Lambda init. Every problem is reported at once,
 * so a misconfigured deployment fails its first invocation with a message naming each variable.
 */
export interface AppConfig {
  /** Public base URL without a trailing slash; issuer of the tokens guichet mints. */
  readonly publicUrl: string;
  readonly oidc: {
    readonly issuer: string;
    readonly clientId: string;
    readonly scopes: string;
  };
  readonly returnToOrigins: readonly string[];
  readonly nativeAppRedirectSchemes: readonly string[];
  readonly sessionTtlSeconds: number;
  readonly loginFlowTtlSeconds: number;
  /** Logins one client address may start per window before it gets 429. */
  readonly loginRateLimit: number;
  readonly loginRateLimitWindowSeconds: number;
  readonly exchangeCodeTtlSeconds: number;
  /** Failed session exchanges one client address may make per window before it gets 429. */
  readonly sessionExchangeFailureLimit: number;
  readonly sessionExchangeFailureWindowSeconds: number;
  readonly addonsSessionTtlSeconds: number;
  /** Add-in sessions opened, and failed add-in confirmations, one client address may make per window. */
  readonly addonsRateLimit: number;
  readonly addonsRateLimitWindowSeconds: number;
  /** Polls one client address may make per add-in window. */
  readonly addonsPollLimit: number;
  /** Long polls one client address may start per long-poll period; beyond, a poll is answered at once. */
  readonly addonsLongPollLimit: number;
  readonly addonsTransitTokenTtlSeconds: number;
  readonly addonsTokenScope: string;
  readonly addonsTokenTtlSeconds: number;
  readonly accessTokenTtlSeconds: number;
  readonly accessTokenAudience: string;
  /** Failed token requests one client address may make per window before it gets 429. */
  readonly tokenFailureLimit: number;
  readonly tokenFailureWindowSeconds: number;
  /** How long a Lambda keeps the signing keys, and verifiers may cache the JWKS. */
  readonly signingKeysCacheSeconds: number;
  /** Exact browser origins allowed to call guichet with credentials (CORS); none by default. */
  readonly corsOrigins: readonly string[];
  /**
   * Product-API audience → the scopes a user token for it may carry. Without a prototype, so that looking up
   * a caller's audience never finds an inherited key such as `constructor`.
   */
  readonly apiAudiences: Readonly<Record<string, readonly string[]>>;
  /**
   * Product-API audience → its back-channel logout endpoint, for the audiences of API_AUDIENCES that register one:
   * each is told when a session that was issued a token for it ends. Without a prototype, as `apiAudiences`.
   */
  readonly backchannelLogoutUris: Readonly<Record<string, string>>;
  /** How long a downstream logout delivery is retried, from the moment its session ended. */
  readonly logoutDeliveryMaxAgeSeconds: number;
  /** Lifetime of user tokens, never beyond the session's expiry. */
  readonly userTokenTtlSeconds: number;
  /** Endpoints chosen by others (logout URIs, `jwks_uri`) may be on loopback: local mode only, never a deploy. */
  readonly allowLoopbackEndpoints: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
  }
}

/** Time a person has to log in at the IdP before the login flow's state is refused. */
const LOGIN_FLOW_TTL_SECONDS = 600;

type Env = Readonly<Record<string, string | undefined>>;

export function loadConfig(env: Env): AppConfig {
  const problems: string[] = [];

  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) problems.push(`${name} is required`);
    return value ?? '';
  };
  const url = (name: string, value: string): URL | undefined => {
    try {
      // URL drops a bare "?" or "#", so the raw text is checked too.
      if (/[?#]/.test(value)) throw new Error();
      const parsed = new URL(value);
      if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error();
      return parsed;
    } catch {
      if (value) problems.push(`${name} must be an http(s) URL without query or fragment`);
      return undefined;
    }
  };
  const positive = (name: string, fallback: number): number => {
    const raw = env[name]?.trim();
    if (!raw) return fallback;
    const value = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(value) || value <= 0) {
      problems.push(`${name} must be a positive whole number`);
      return fallback;
    }
    return value;
  };
  const list = (name: string): string[] | undefined => {
    const raw = env[name]?.trim();
    if (!raw) return undefined;
    const items = raw.split(',').map((item) => item.trim()).filter(Boolean);
    if (items.length === 0) problems.push(`${name} lists nothing: leave it unset for the default`);
    return items;
  };

  const publicUrlText = required('GUICHET_PUBLIC_URL').replace(/\/+$/, '');
  const publicUrl = url('GUICHET_PUBLIC_URL', publicUrlText);
  const issuer = required('OIDC_ISSUER');
  const issuerProblemText = issuer ? issuerProblem(issuer) : undefined;
  if (issuerProblemText) problems.push(`OIDC_ISSUER ${issuerProblemText}`);
  const clientId = required('OIDC_CLIENT_ID');

  const returnToOrigins = list('RETURN_TO_ORIGINS') ?? (publicUrl ? [publicUrl.origin] : []);
  for (const origin of returnToOrigins) {
    const parsed = url('RETURN_TO_ORIGINS', origin);
    if (parsed && parsed.origin !== origin) problems.push(`RETURN_TO_ORIGINS entry ${origin} is not a bare origin`);
  }

  const nativeAppRedirectSchemes = (list('NATIVE_APP_REDIRECT_SCHEMES') ?? ['visio']).map((s) => s.toLowerCase());
  for (const scheme of nativeAppRedirectSchemes) {
    if (!/^[a-z][a-z0-9+.-]*$/.test(scheme) || FORBIDDEN_NATIVE_SCHEMES.has(scheme)) {
      problems.push(`NATIVE_APP_REDIRECT_SCHEMES entry ${scheme} is not an acceptable custom scheme`);
    }
  }

  const corsOrigins = list('CORS_ORIGINS') ?? [];
  for (const origin of corsOrigins) {
    const problem = corsOriginProblem(origin);
    if (problem) problems.push(`CORS_ORIGINS: ${problem}`);
  }

  const userTokenTtlSeconds = positive('USER_TOKEN_TTL_SECONDS', SIGNED_TOKEN_LIFETIMES.userTokenTtlSeconds);
  const userTokenTtlProblemText = userTokenTtlProblem(userTokenTtlSeconds);
  if (userTokenTtlProblemText) problems.push(`USER_TOKEN_TTL_SECONDS ${userTokenTtlProblemText}`);

  const allowLoopbackEndpoints = env.ALLOW_LOOPBACK_ENDPOINTS?.trim() || 'false';
  if (allowLoopbackEndpoints !== 'true' && allowLoopbackEndpoints !== 'false') {
    problems.push('ALLOW_LOOPBACK_ENDPOINTS must be true or false');
  }

  const audiences = (): Record<string, ApiAudienceValue> => {
    const raw = env.API_AUDIENCES?.trim();
    if (!raw) return {};
    try {
      const parsed: unknown = JSON.parse(raw);
      const audienceProblems = apiAudiencesProblems(parsed, { allowLoopback: allowLoopbackEndpoints === 'true' });
      problems.push(...audienceProblems.map((problem) => `API_AUDIENCES: ${problem}`));
      return audienceProblems.length > 0 ? {} : (parsed as Record<string, ApiAudienceValue>);
    } catch (error) {
      problems.push(`API_AUDIENCES must be JSON (${(error as Error).message})`);
      return {};
    }
  };
  const registered = Object.entries(audiences());
  const apiAudiences = Object.assign(
    Object.create(null),
    Object.fromEntries(registered.map(([audience, value]) => [audience, audienceScopes(value)])),
  );
  const backchannelLogoutUris = Object.assign(
    Object.create(null),
    Object.fromEntries(registered.flatMap(([audience, value]) => {
      const uri = audienceLogoutUri(value);
      return uri === undefined ? [] : [[audience, uri]];
    })),
  );

  const logoutDeliveryMaxAgeSeconds = positive('LOGOUT_DELIVERY_MAX_AGE_SECONDS', 86_400);
  const logoutDeliveryMaxAgeProblemText = logoutDeliveryMaxAgeProblem(logoutDeliveryMaxAgeSeconds);
  if (logoutDeliveryMaxAgeProblemText) problems.push(`LOGOUT_DELIVERY_MAX_AGE_SECONDS ${logoutDeliveryMaxAgeProblemText}`);

  const config: AppConfig = {
    publicUrl: publicUrlText,
    oidc: { issuer, clientId, scopes: env.OIDC_SCOPES?.trim() || 'openid email profile' },
    returnToOrigins,
    nativeAppRedirectSchemes,
    sessionTtlSeconds: positive('SESSION_TTL_SECONDS', 43200),
    loginFlowTtlSeconds: LOGIN_FLOW_TTL_SECONDS,
    loginRateLimit: positive('LOGIN_RATE_LIMIT', 300),
    loginRateLimitWindowSeconds: positive('LOGIN_RATE_LIMIT_WINDOW_SECONDS', 300),
    exchangeCodeTtlSeconds: positive('EXCHANGE_CODE_TTL_SECONDS', 30),
    sessionExchangeFailureLimit: positive('SESSION_EXCHANGE_FAILURE_LIMIT', 10),
    sessionExchangeFailureWindowSeconds: positive('SESSION_EXCHANGE_FAILURE_WINDOW_SECONDS', 300),
    addonsSessionTtlSeconds: positive('ADDONS_SESSION_TTL_SECONDS', 600),
    addonsRateLimit: positive('ADDONS_RATE_LIMIT', 30),
    addonsRateLimitWindowSeconds: positive('ADDONS_RATE_LIMIT_WINDOW_SECONDS', 300),
    addonsPollLimit: positive('ADDONS_POLL_LIMIT', 600),
    addonsLongPollLimit: positive('ADDONS_LONG_POLL_LIMIT', 20),
    addonsTransitTokenTtlSeconds: positive('ADDONS_TRANSIT_TOKEN_TTL_SECONDS', 120),
    addonsTokenScope: env.ADDONS_TOKEN_SCOPE?.trim() || 'addons',
    addonsTokenTtlSeconds: positive('ADDONS_TOKEN_TTL_SECONDS', SIGNED_TOKEN_LIFETIMES.addonsTokenTtlSeconds),
    accessTokenTtlSeconds: positive('ACCESS_TOKEN_TTL_SECONDS', SIGNED_TOKEN_LIFETIMES.accessTokenTtlSeconds),
    accessTokenAudience: env.ACCESS_TOKEN_AUDIENCE?.trim() || `${publicUrlText}/external-api`,
    tokenFailureLimit: positive('TOKEN_FAILURE_LIMIT', 20),
    tokenFailureWindowSeconds: positive('TOKEN_FAILURE_WINDOW_SECONDS', 300),
    signingKeysCacheSeconds: positive('SIGNING_KEYS_CACHE_SECONDS', DEFAULT_SIGNING_KEYS_CACHE_SECONDS),
    corsOrigins,
    apiAudiences,
    backchannelLogoutUris,
    logoutDeliveryMaxAgeSeconds,
    userTokenTtlSeconds,
    allowLoopbackEndpoints: allowLoopbackEndpoints === 'true',
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Schemes a browser would execute or that would leave guichet's control: never a native-app target. */
export const FORBIDDEN_NATIVE_SCHEMES: ReadonlySet<string> = new Set([
  'http', 'https', 'javascript', 'data', 'file', 'blob', 'about', 'vbscript', 'ftp', 'ws', 'wss',
]);

/** The origins whose pages may call guichet: its own, and those listed in CORS_ORIGINS. */
export function browserOrigins(config: Pick<AppConfig, 'publicUrl' | 'corsOrigins'>): readonly string[] {
  return [new URL(config.publicUrl).origin, ...config.corsOrigins];
}

let cached: AppConfig | undefined;

/** The process-wide configuration; handlers call it at module load so a bad one fails the init. */
export function appConfig(): AppConfig {
  cached ??= loadConfig(process.env);
  return cached;
}
