import { baseLambdaEnvironment, sharedLambdaEnvironment } from '../../lib/lambda-environment';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/shared/metric-names';
import type { GuichetProps } from '../../lib/guichet-config';
import { SETTINGS, type SettingKind } from '../../lambdas/settings';
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

const SAMPLES: Record<SettingKind, readonly [value: unknown, variable: string]> = {
  text: ['openid email', 'openid email'],
  number: [300, '300'],
  list: [['https://a.example.com', 'https://b.example.com'], 'https://a.example.com,https://b.example.com'],
  json: [{ 'https://api.example.com': ['read'] }, '{"https://api.example.com":["read"]}'],
};

test('writes every setting of the table to its variable: numbers in decimal, lists comma-joined, JSON as text', () => {
  const props = Object.fromEntries(SETTINGS.map(({ contextKey, kind }) => [contextKey, SAMPLES[kind][0]]));
  const environment = sharedLambdaEnvironment(props as unknown as GuichetProps, PUBLIC_URL);
  for (const { envVar, kind } of SETTINGS) expect(environment[envVar]).toBe(SAMPLES[kind][1]);
});

test('hands no deploy-time prop to the Lambdas', () => {
  const environment = sharedLambdaEnvironment(
    {
      ...EXAMPLE_PROPS,
      signingAlgorithm: 'ES256',
      authFailureAlarmThreshold: 10,
      alarmEmail: 'ops@example.com',
      defaultThrottle: { rateLimit: 1, burstLimit: 1 },
      customDomain: { domainName: 'auth.example.com', certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/a' },
    },
    PUBLIC_URL,
  );
  expect(environment).toEqual(sharedLambdaEnvironment(EXAMPLE_PROPS, PUBLIC_URL));
});

test('the base environment is the observability part every Lambda gets, route or not', () => {
  expect(baseLambdaEnvironment()).toEqual({
    POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
    POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
  });
  expect(sharedLambdaEnvironment(EXAMPLE_PROPS, PUBLIC_URL)).toMatchObject(baseLambdaEnvironment());
});
