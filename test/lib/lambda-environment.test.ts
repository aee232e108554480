import { QUEUES } from '../../lambdas/queues';
import { SECRETS } from '../../lambdas/secrets';
import { LAMBDA_SETTINGS, type SettingKind, STACK_SETTINGS } from '../../lambdas/settings';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../lambdas/shared/metric-names';
import { TABLES } from '../../lambdas/tables';
import type { GuichetProps } from '../../lib/guichet-config';
import { baseLambdaEnvironment, sharedLambdaEnvironment } from '../../lib/lambda-environment';
import { EXAMPLE_PROPS, synthGuichet } from './helpers';

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
  count: [300, '300'],
  number: [2.5, '2.5'],
  port: [8080, '8080'],
  list: [['https://a.example.com', 'https://b.example.com'], 'https://a.example.com,https://b.example.com'],
  json: [{ 'https://api.example.com': ['read'] }, '{"https://api.example.com":["read"]}'],
  flag: [true, 'true'],
};

test('writes every setting of the Lambdas to its variable: numbers in decimal, lists comma-joined, JSON as text', () => {
  const settings = Object.entries(LAMBDA_SETTINGS).filter(([key]) => key !== 'publicUrl');
  const props = Object.fromEntries(settings.map(([key, { kind }]) => [key, SAMPLES[kind][0]]));
  const environment = sharedLambdaEnvironment(props as unknown as GuichetProps, PUBLIC_URL);
  for (const [, { envVar, kind }] of settings) expect(environment[envVar!]).toBe(SAMPLES[kind][1]);
  expect(environment[LAMBDA_SETTINGS.publicUrl.envVar]).toBe(PUBLIC_URL);
});

test('hands no deploy-time prop to the Lambdas', () => {
  const environment = sharedLambdaEnvironment(
    {
      ...EXAMPLE_PROPS,
      signingAlgorithm: 'ES256',
      authFailureAlarmThreshold: 10,
      alarmEmail: 'ops@example.com',
      defaultThrottleRate: 1,
      customDomainName: 'auth.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:1:certificate/a',
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

test('gives the functions of the template no variable but the settings, and the names of their tables, secrets and queues', () => {
  const { template } = synthGuichet();
  const given = Object.values(template.findResources('AWS::Lambda::Function')).flatMap((resource) =>
    Object.keys((resource.Properties.Environment?.Variables ?? {}) as Record<string, unknown>),
  );
  const described = new Set([
    ...Object.values(LAMBDA_SETTINGS).map((setting) => setting.envVar),
    STACK_SETTINGS.signingAlgorithm.envVar,
    ...Object.values(TABLES).map((table) => table.envVar),
    ...Object.values(SECRETS).map((secret) => secret.arnEnvVar),
    ...Object.values(QUEUES).map((queue) => queue.urlEnvVar),
    ...Object.keys(baseLambdaEnvironment()),
  ]);
  expect(given).toContain(STACK_SETTINGS.signingAlgorithm.envVar);
  expect([...new Set(given)].filter((name) => !described.has(name))).toEqual([]);
});
