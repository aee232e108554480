import { App } from 'aws-cdk-lib';
import { LAMBDA_SETTINGS } from '../../lambdas/settings';
import { type GuichetProps, propsFromContext } from '../../lib/guichet-config';
import { sharedLambdaEnvironment } from '../../lib/lambda-environment';
import { contextFromEnvironment, lambdaSettingFromEnvironment, localDefaultContext } from '../../lib/settings-context';

test('maps each setting variable present to its context key, with its text unchanged', () => {
  expect(
    contextFromEnvironment({
      OIDC_ISSUER: 'http://127.0.0.1:8788',
      OIDC_CLIENT_ID: 'guichet',
      RETURN_TO_ORIGINS: 'http://127.0.0.1:8787, http://localhost:3000',
      SESSION_TTL_SECONDS: '3600',
      ACCESS_TOKEN_AUDIENCE: undefined,
    }),
  ).toEqual({
    oidcIssuer: 'http://127.0.0.1:8788',
    oidcClientId: 'guichet',
    returnToOrigins: 'http://127.0.0.1:8787, http://localhost:3000',
    sessionTtlSeconds: '3600',
  });
});

test('leaves out blank variables, which the handlers read as unset, and variables that are no setting', () => {
  expect(
    contextFromEnvironment({
      OIDC_SCOPES: '  ',
      SESSION_TTL_SECONDS: '',
      GUICHET_PUBLIC_URL: 'http://127.0.0.1:8787',
      OIDC_CLIENT_SECRET: 'secret',
      PORT: '8787',
      PATH: '/usr/bin',
    }),
  ).toEqual({});
});

test('gives back the props the Lambda environment was written from', () => {
  const props: GuichetProps = {
    oidcIssuer: 'https://idp.example.com/realms/main',
    oidcClientId: 'guichet',
    oidcScopes: 'openid email',
    returnToOrigins: ['https://app.example.com', 'https://admin.example.com'],
    nativeAppRedirectSchemes: ['visio'],
    sessionTtlSeconds: 3600,
    addonsTokenScope: 'addons',
    tokenFailureLimit: 20,
    corsOrigins: ['http://127.0.0.1:5173'],
    apiAudiences: { 'https://api.example.com': ['read', 'write'] },
    userTokenTtlSeconds: 600,
  };
  const context = contextFromEnvironment(sharedLambdaEnvironment(props, 'https://auth.example.com'));
  expect(propsFromContext(new App({ context }).node)).toEqual(props);
});

test("local mode's own defaults are the table's: the settings whose local default is a value", () => {
  expect(localDefaultContext()).toEqual({ allowLoopbackEndpoints: 'true' });
  expect(LAMBDA_SETTINGS.allowLoopbackEndpoints.localDefault).toBe(true);
});

test('reads one setting of the Lambdas as they will: the variable, normalized, else the default, derived where it is', () => {
  const publicUrl = 'http://127.0.0.1:8787';
  expect(lambdaSettingFromEnvironment('nativeAppRedirectSchemes', { NATIVE_APP_REDIRECT_SCHEMES: ' Visio2 , other' }, publicUrl)).toEqual([
    'visio2',
    'other',
  ]);
  expect(lambdaSettingFromEnvironment('nativeAppRedirectSchemes', {}, publicUrl)).toEqual(LAMBDA_SETTINGS.nativeAppRedirectSchemes.default);
  expect(lambdaSettingFromEnvironment('returnToOrigins', {}, publicUrl)).toEqual(['http://127.0.0.1:8787']);
  expect(lambdaSettingFromEnvironment('returnToOrigins', { RETURN_TO_ORIGINS: 'http://localhost:3000' }, publicUrl)).toEqual([
    'http://localhost:3000',
  ]);
});
