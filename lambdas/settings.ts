/**
 * The operator's settings that reach the Lambdas, defined once: the CDK app reads each from its context key
 * and hands it to the Lambdas in its environment variable, which `loadConfig` reads; local mode maps the same
 * variables back to context keys. `kind` says how a value is written: `text` as it is, `number` (always a
 * positive whole number) in decimal, `list` comma-separated, `json` as JSON text.
 */
export type SettingKind = 'text' | 'number' | 'list' | 'json';

export interface SettingDefinition {
  readonly envVar: string;
  readonly contextKey: string;
  readonly kind: SettingKind;
  /** Without it the stack cannot be synthesized. */
  readonly required?: true;
}

export const SETTINGS = [
  { envVar: 'OIDC_ISSUER', contextKey: 'oidcIssuer', kind: 'text', required: true },
  { envVar: 'OIDC_CLIENT_ID', contextKey: 'oidcClientId', kind: 'text', required: true },
  { envVar: 'OIDC_SCOPES', contextKey: 'oidcScopes', kind: 'text' },
  { envVar: 'RETURN_TO_ORIGINS', contextKey: 'returnToOrigins', kind: 'list' },
  { envVar: 'NATIVE_APP_REDIRECT_SCHEMES', contextKey: 'nativeAppRedirectSchemes', kind: 'list' },
  { envVar: 'SESSION_TTL_SECONDS', contextKey: 'sessionTtlSeconds', kind: 'number' },
  { envVar: 'LOGIN_RATE_LIMIT', contextKey: 'loginRateLimit', kind: 'number' },
  { envVar: 'LOGIN_RATE_LIMIT_WINDOW_SECONDS', contextKey: 'loginRateLimitWindowSeconds', kind: 'number' },
  { envVar: 'EXCHANGE_CODE_TTL_SECONDS', contextKey: 'exchangeCodeTtlSeconds', kind: 'number' },
  { envVar: 'SESSION_EXCHANGE_FAILURE_LIMIT', contextKey: 'sessionExchangeFailureLimit', kind: 'number' },
  {
    envVar: 'SESSION_EXCHANGE_FAILURE_WINDOW_SECONDS',
    contextKey: 'sessionExchangeFailureWindowSeconds',
    kind: 'number',
  },
  { envVar: 'ADDONS_SESSION_TTL_SECONDS', contextKey: 'addonsSessionTtlSeconds', kind: 'number' },
  { envVar: 'ADDONS_RATE_LIMIT', contextKey: 'addonsRateLimit', kind: 'number' },
  { envVar: 'ADDONS_RATE_LIMIT_WINDOW_SECONDS', contextKey: 'addonsRateLimitWindowSeconds', kind: 'number' },
  { envVar: 'ADDONS_POLL_LIMIT', contextKey: 'addonsPollLimit', kind: 'number' },
  { envVar: 'ADDONS_LONG_POLL_LIMIT', contextKey: 'addonsLongPollLimit', kind: 'number' },
  { envVar: 'ADDONS_TRANSIT_TOKEN_TTL_SECONDS', contextKey: 'addonsTransitTokenTtlSeconds', kind: 'number' },
  { envVar: 'ADDONS_TOKEN_SCOPE', contextKey: 'addonsTokenScope', kind: 'text' },
  { envVar: 'ADDONS_TOKEN_TTL_SECONDS', contextKey: 'addonsTokenTtlSeconds', kind: 'number' },
  { envVar: 'ACCESS_TOKEN_TTL_SECONDS', contextKey: 'accessTokenTtlSeconds', kind: 'number' },
  { envVar: 'ACCESS_TOKEN_AUDIENCE', contextKey: 'accessTokenAudience', kind: 'text' },
  { envVar: 'TOKEN_FAILURE_LIMIT', contextKey: 'tokenFailureLimit', kind: 'number' },
  { envVar: 'TOKEN_FAILURE_WINDOW_SECONDS', contextKey: 'tokenFailureWindowSeconds', kind: 'number' },
  { envVar: 'SIGNING_KEYS_CACHE_SECONDS', contextKey: 'signingKeysCacheSeconds', kind: 'number' },
  { envVar: 'CORS_ORIGINS', contextKey: 'corsOrigins', kind: 'list' },
  { envVar: 'API_AUDIENCES', contextKey: 'apiAudiences', kind: 'json' },
  { envVar: 'USER_TOKEN_TTL_SECONDS', contextKey: 'userTokenTtlSeconds', kind: 'number' },
  { envVar: 'LOGOUT_DELIVERY_MAX_AGE_SECONDS', contextKey: 'logoutDeliveryMaxAgeSeconds', kind: 'number' },
  { envVar: 'ALLOW_LOOPBACK_ENDPOINTS', contextKey: 'allowLoopbackEndpoints', kind: 'text' },
] as const satisfies readonly SettingDefinition[];

export type Setting = (typeof SETTINGS)[number];
