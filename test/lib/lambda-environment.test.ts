import { baseLambdaEnvironment, sharedLambdaEnvironment } from '../../lib/lambda-environment';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/shared/metric-names';
import { EXAMPLE_PROPS } from './helpers';

const PUBLIC_URL = 'https://auth.example.com';

test('with only the required props, sets the required variables and nothing the handlers default', () => {
  expect(sharedLambdaEnvironment(EXAMPLE_PROPS, PUBLIC_URL)).toEqual({
    GUICHET_PUBLIC_URL: PUBLIC_URL,
    OIDC_ISSUER: 'https://idp.example.com',
    OIDC_CLIENT_ID: 'guichet',
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  });
});

test('maps every optional prop to its contract variable, lists comma-joined', () => {
  const environment = sharedLambdaEnvironment(
    {
      ...EXAMPLE_PROPS,
      oidcScopes: 'openid email',
      returnToOrigins: ['https://a.example.com', 'https://b.example.com'],
      nativeAppRedirectSchemes: ['visio', 'com.example.app'],
      sessionTtlSeconds: 1,
      exchangeCodeTtlSeconds: 2,
      addonsSessionTtlSeconds: 3,
      addonsRateLimit: 11,
      addonsRateLimitWindowSeconds: 12,
      addonsTransitTokenTtlSeconds: 4,
      addonsTokenScope: 'addons:read',
      addonsTokenTtlSeconds: 5,
      accessTokenTtlSeconds: 6,
      accessTokenAudience: 'https://api.example.com',
      tokenFailureLimit: 7,
      tokenFailureWindowSeconds: 8,
      signingKeysCacheSeconds: 9,
      // Deploy-time only: neither reaches a route Lambda.
      signingAlgorithm: 'ES256',
      authFailureAlarmThreshold: 10,
      alarmEmail: 'ops@example.com',
      defaultThrottle: { rateLimit: 1, burstLimit: 1 },
    },
    PUBLIC_URL,
  );
  expect(environment).toMatchObject({
    OIDC_SCOPES: 'openid email',
    RETURN_TO_ORIGINS: 'https://a.example.com,https://b.example.com',
    NATIVE_APP_REDIRECT_SCHEMES: 'visio,com.example.app',
    SESSION_TTL_SECONDS: '1',
    EXCHANGE_CODE_TTL_SECONDS: '2',
    ADDONS_SESSION_TTL_SECONDS: '3',
    ADDONS_RATE_LIMIT: '11',
    ADDONS_RATE_LIMIT_WINDOW_SECONDS: '12',
    ADDONS_TRANSIT_TOKEN_TTL_SECONDS: '4',
    ADDONS_TOKEN_SCOPE: 'addons:read',
    ADDONS_TOKEN_TTL_SECONDS: '5',
    ACCESS_TOKEN_TTL_SECONDS: '6',
    ACCESS_TOKEN_AUDIENCE: 'https://api.example.com',
    TOKEN_FAILURE_LIMIT: '7',
    TOKEN_FAILURE_WINDOW_SECONDS: '8',
    SIGNING_KEYS_CACHE_SECONDS: '9',
  });
  expect(Object.keys(environment)).toHaveLength(5 + 16);
});

test('the base environment is the observability part every Lambda gets, route or not', () => {
  expect(baseLambdaEnvironment()).toEqual({
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  });
  expect(sharedLambdaEnvironment(EXAMPLE_PROPS, PUBLIC_URL)).toMatchObject(baseLambdaEnvironment());
});
