import { METRICS_NAMESPACE, SERVICE_NAME } from '../lambdas/shared/metric-names';
import type { GuichetProps } from './guichet-config';

/**
 * The environment every route Lambda shares (the contract's Configuration table). Unset props stay unset, so the
 * handlers' own defaults apply; per-route table names and secret ARNs are added by GuichetFunction.
 */
export function sharedLambdaEnvironment(props: GuichetProps, publicUrl: string): Record<string, string> {
  const optional: Record<string, string | number | readonly string[] | undefined> = {
    OIDC_SCOPES: props.oidcScopes,
    RETURN_TO_ORIGINS: props.returnToOrigins,
    NATIVE_APP_REDIRECT_SCHEMES: props.nativeAppRedirectSchemes,
    SESSION_TTL_SECONDS: props.sessionTtlSeconds,
    EXCHANGE_CODE_TTL_SECONDS: props.exchangeCodeTtlSeconds,
    SESSION_EXCHANGE_FAILURE_LIMIT: props.sessionExchangeFailureLimit,
    SESSION_EXCHANGE_FAILURE_WINDOW_SECONDS: props.sessionExchangeFailureWindowSeconds,
    ADDONS_SESSION_TTL_SECONDS: props.addonsSessionTtlSeconds,
    ADDONS_RATE_LIMIT: props.addonsRateLimit,
    ADDONS_RATE_LIMIT_WINDOW_SECONDS: props.addonsRateLimitWindowSeconds,
    ADDONS_TRANSIT_TOKEN_TTL_SECONDS: props.addonsTransitTokenTtlSeconds,
    ADDONS_TOKEN_SCOPE: props.addonsTokenScope,
    ADDONS_TOKEN_TTL_SECONDS: props.addonsTokenTtlSeconds,
    ACCESS_TOKEN_TTL_SECONDS: props.accessTokenTtlSeconds,
    ACCESS_TOKEN_AUDIENCE: props.accessTokenAudience,
    TOKEN_FAILURE_LIMIT: props.tokenFailureLimit,
    TOKEN_FAILURE_WINDOW_SECONDS: props.tokenFailureWindowSeconds,
    SIGNING_KEYS_CACHE_SECONDS: props.signingKeysCacheSeconds,
  };
  const environment: Record<string, string> = {
    GUICHET_PUBLIC_URL: publicUrl,
    OIDC_ISSUER: props.oidcIssuer,
    OIDC_CLIENT_ID: props.oidcClientId,
    ...baseLambdaEnvironment(),
  };
  for (const [name, value] of Object.entries(optional)) {
    if (value !== undefined) environment[name] = Array.isArray(value) ? value.join(',') : String(value);
  }
  return environment;
}

/**
 * What every guichet Lambda needs whatever it does: logs and metrics under the service's name. Not
 * `--enable-source-maps`: reading the map costs about 50 ms of every cold start; the map is deployed beside
 * the code to decode a stack trace when one is needed.
 */
export function baseLambdaEnvironment(): Record<string, string> {
  return {
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  };
}
