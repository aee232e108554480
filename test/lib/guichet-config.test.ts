import { App } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { RouteThrottle } from '../../lambdas/routes';
import { STACK_SETTINGS } from '../../lambdas/settings';
import { SIGNING_ALGORITHMS } from '../../lambdas/shared/signing-algorithms';
import { GuichetConfigError, type GuichetProps, propsFromContext, validateProps } from '../../lib/guichet-config';
import { EXAMPLE_PROPS } from './helpers';

const fromContext = (context: Record<string, unknown>) => propsFromContext(new App({ context }).node);
const withProps = (overrides: Partial<GuichetProps>) => () => validateProps({ ...EXAMPLE_PROPS, ...overrides });

describe('propsFromContext', () => {
  test('reads every key, lists as comma strings and numbers as strings (the form -c gives them)', () => {
    expect(
      fromContext({
        oidcIssuer: 'https://idp.example.com/realms/main',
        oidcClientId: 'guichet',
        oidcScopes: 'openid email',
        returnToOrigins: 'https://app.example.com, https://admin.example.com',
        nativeAppRedirectSchemes: 'visio,com.example.app',
        sessionTtlSeconds: '3600',
        exchangeCodeTtlSeconds: 45,
        addonsTokenScope: 'addons',
        accessTokenAudience: 'https://api.example.com',
        tokenFailureLimit: '20',
        tokenFailureWindowSeconds: 300,
        signingKeysCacheSeconds: '600',
        signingAlgorithm: ' ES256 ',
        authFailureAlarmThreshold: '25',
        customDomainName: 'auth.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123',
        logRetentionDays: '90',
        addonsRateLimit: '40',
        serverErrorRateAlarmPercent: '2.5',
        alarmEmail: ' ops@example.com ',
        defaultThrottleRate: '200',
        defaultThrottleBurst: 400,
        routeThrottles: '{"OAuthToken": {"rateLimit": 10, "burstLimit": 20}}',
        corsOrigins: 'https://app.example.com, http://localhost:3000',
        apiAudiences: '{"https://api.example.com": ["read", "write"]}',
        userTokenTtlSeconds: '600',
        pollReservedConcurrency: '50',
      }),
    ).toEqual({
      oidcIssuer: 'https://idp.example.com/realms/main',
      oidcClientId: 'guichet',
      oidcScopes: 'openid email',
      returnToOrigins: ['https://app.example.com', 'https://admin.example.com'],
      nativeAppRedirectSchemes: ['visio', 'com.example.app'],
      sessionTtlSeconds: 3600,
      exchangeCodeTtlSeconds: 45,
      addonsTokenScope: 'addons',
      accessTokenAudience: 'https://api.example.com',
      tokenFailureLimit: 20,
      tokenFailureWindowSeconds: 300,
      signingKeysCacheSeconds: 600,
      signingAlgorithm: 'ES256',
      authFailureAlarmThreshold: 25,
      customDomainName: 'auth.example.com',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc-123',
      logRetentionDays: logs.RetentionDays.THREE_MONTHS,
      addonsRateLimit: 40,
      serverErrorRateAlarmPercent: 2.5,
      alarmEmail: 'ops@example.com',
      defaultThrottleRate: 200,
      defaultThrottleBurst: 400,
      routeThrottles: { OAuthToken: { rateLimit: 10, burstLimit: 20 } },
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      apiAudiences: { 'https://api.example.com': ['read', 'write'] },
      userTokenTtlSeconds: 600,
      pollReservedConcurrency: 50,
    });
  });

  test('accepts an audience that registers a back-channel logout endpoint, and a loopback one with allowLoopbackEndpoints', () => {
    const apiAudiences = {
      'https://api.example.com': { scopes: ['read'], backchannel_logout_uri: 'https://api.example.com/logout' },
      'https://dev.example.com': { scopes: ['read'], backchannel_logout_uri: 'http://127.0.0.1:9000/logout' },
    };
    const context = { ...EXAMPLE_PROPS, apiAudiences: JSON.stringify(apiAudiences) };
    expect(fromContext({ ...context, allowLoopbackEndpoints: 'true' }).apiAudiences).toEqual(apiAudiences);
    expect(() => fromContext(context)).toThrow(/loopback host, which only local mode/);
    expect(fromContext({ ...EXAMPLE_PROPS, logoutDeliveryMaxAgeSeconds: '3600' }).logoutDeliveryMaxAgeSeconds).toBe(3600);
  });

  test('accepts apiAudiences as a JSON object (cdk.json)', () => {
    const apiAudiences = { 'https://api.example.com': ['read'] };
    expect(fromContext({ ...EXAMPLE_PROPS, apiAudiences }).apiAudiences).toEqual(apiAudiences);
  });

  test('accepts routeThrottles as a JSON object (cdk.json), and one default throttle key alone', () => {
    const props = fromContext({
      ...EXAMPLE_PROPS,
      routeThrottles: { Jwks: { rateLimit: 5, burstLimit: 5 } },
      defaultThrottleBurst: '3000',
    });
    expect(props.routeThrottles).toEqual({ Jwks: { rateLimit: 5, burstLimit: 5 } });
    expect(props.defaultThrottleRate).toBeUndefined();
    expect(props.defaultThrottleBurst).toBe(3000);
    expect(validateProps(props)).toMatchObject({
      defaultThrottleRate: STACK_SETTINGS.defaultThrottleRate.default,
      defaultThrottleBurst: 3000,
    });
  });

  test('accepts lists as JSON arrays (cdk.json) and leaves unset keys undefined', () => {
    const props = fromContext({ ...EXAMPLE_PROPS, returnToOrigins: ['https://app.example.com'] });
    expect(props.returnToOrigins).toEqual(['https://app.example.com']);
    expect(props.nativeAppRedirectSchemes).toBeUndefined();
    expect(props.sessionTtlSeconds).toBeUndefined();
    expect(props.customDomainName).toBeUndefined();
    expect(props.logRetentionDays).toBeUndefined();
    expect(props.signingAlgorithm).toBeUndefined();
    expect(props.authFailureAlarmThreshold).toBeUndefined();
    expect(props.alarmEmail).toBeUndefined();
    expect(props.defaultThrottleRate).toBeUndefined();
    expect(props.routeThrottles).toBeUndefined();
    expect(props.corsOrigins).toBeUndefined();
    expect(props.apiAudiences).toBeUndefined();
    expect(props.userTokenTtlSeconds).toBeUndefined();
    expect(props.pollReservedConcurrency).toBeUndefined();
  });

  test('reads a blank JSON value as unset', () => {
    expect(fromContext({ ...EXAMPLE_PROPS, routeThrottles: ' ' }).routeThrottles).toBeUndefined();
  });

  test.each([
    [{ ...EXAMPLE_PROPS, sessionTtlSeconds: 'twelve hours' }, 'sessionTtlSeconds must be a positive whole number, got "twelve hours"'],
    [{ ...EXAMPLE_PROPS, routeThrottles: '{OAuthToken: 1}' }, /routeThrottles must be JSON \(.+\), got \{OAuthToken/],
    [{ ...EXAMPLE_PROPS, defaultThrottleRate: 'fast' }, 'defaultThrottleRate must be a positive whole number, got "fast"'],
    [{ ...EXAMPLE_PROPS, tokenFailureLimit: 'many' }, 'tokenFailureLimit must be a positive whole number, got "many"'],
    [{ ...EXAMPLE_PROPS, serverErrorRateAlarmPercent: 'half' }, 'serverErrorRateAlarmPercent must be a number, got "half"'],
    [{ ...EXAMPLE_PROPS, signingAlgorithm: 256 }, 'signingAlgorithm must be text, got 256'],
    [{ ...EXAMPLE_PROPS, returnToOrigins: ' , ' }, 'returnToOrigins lists nothing: leave it unset for the default'],
    [{ ...EXAMPLE_PROPS, apiAudiences: '{"https://api.example.com": read}' }, /apiAudiences must be JSON \(.+\), got \{/],
    [{ ...EXAMPLE_PROPS, apiAudiences: '[]' }, 'apiAudiences: must be a JSON object mapping audience URIs'],
    [{ ...EXAMPLE_PROPS, pollReservedConcurrency: 'lots' }, 'pollReservedConcurrency must be a positive whole number, got "lots"'],
    [{ ...EXAMPLE_PROPS, allowLoopbackEndpoints: 'yes' }, 'allowLoopbackEndpoints must be true or false, got "yes"'],
  ])('refuses %j', (context, message) => {
    expect(() => fromContext(context)).toThrow(message);
  });

  test('without the required keys, fails with one line naming them all and how to set them', () => {
    expect(errorOf(() => fromContext({})).message).toBe(
      'guichet: missing context oidcIssuer, oidcClientId: ' +
        'pass -c oidcIssuer=https://... -c oidcClientId=... (or set them in cdk.json)',
    );
    expect(errorOf(() => fromContext({ oidcIssuer: 'https://idp.example.com', oidcClientId: ' ' })).message).toBe(
      'guichet: missing context oidcClientId: pass -c oidcClientId=... (or set it in cdk.json)',
    );
  });

  test('reports every problem at once: missing keys, unreadable values and invalid ones, by context key', () => {
    const error = errorOf(() =>
      fromContext({ oidcClientId: 'guichet', sessionTtlSeconds: 'abc', signingAlgorithm: 'HS256', logRetentionDays: 31 }),
    );
    expect(error.missingKeys).toEqual(['oidcIssuer']);
    expect(error.problems).toEqual([
      'sessionTtlSeconds must be a positive whole number, got "abc"',
      'signingAlgorithm must be one of RS256, ES256, got "HS256"',
      expect.stringMatching(/^logRetentionDays must be a CloudWatch Logs retention in days/),
    ]);
    expect(error.message.split('\n')).toEqual([
      expect.stringMatching(/^guichet: missing context oidcIssuer: /),
      'Invalid guichet configuration:',
      ...error.problems.map((problem) => `- ${problem}`),
    ]);
  });
});

function errorOf(build: () => unknown): GuichetConfigError {
  try {
    build();
  } catch (error) {
    expect(error).toBeInstanceOf(GuichetConfigError);
    return error as GuichetConfigError;
  }
  throw new Error('the configuration was accepted');
}

describe('validateProps', () => {
  test('accepts a complete configuration', () => {
    expect(
      withProps({
        returnToOrigins: ['https://app.example.com', 'http://localhost:3000'],
        nativeAppRedirectSchemes: ['visio', 'com.example.app+dev'],
        sessionTtlSeconds: 43200,
        tokenFailureLimit: 20,
        tokenFailureWindowSeconds: 300,
        signingKeysCacheSeconds: 300,
        signingAlgorithm: 'ES256',
        authFailureAlarmThreshold: 50,
        serverErrorRateAlarmPercent: 0.5,
        alarmEmail: 'ops.team+guichet@mail.example.co.uk',
        defaultThrottleRate: 1000,
        defaultThrottleBurst: 2000,
        routeThrottles: { OAuthToken: { rateLimit: 10, burstLimit: 20 } },
        logRetentionDays: logs.RetentionDays.INFINITE,
        corsOrigins: ['https://app.example.com', 'http://127.0.0.1:5173'],
        apiAudiences: { 'https://api.example.com': ['read', 'write'], 'http://localhost:9000': ['dev'] },
        userTokenTtlSeconds: 3600,
        pollReservedConcurrency: 1000,
        customDomainName: 'auth.example.com',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/0f1e2d3c-aaaa-bbbb-cccc-1234567890ab',
      }),
    ).not.toThrow();
  });

  test.each<[string, Partial<GuichetProps>, RegExp]>([
    [
      'an http issuer off loopback',
      { oidcIssuer: 'http://idp.example.com' },
      /oidcIssuer must use https \(plain http is only accepted on a loopback address: 127.0.0.1, \[::1\], localhost\)/,
    ],
    ['an http issuer on a look-alike host', { oidcIssuer: 'http://localhost.example.com' }, /oidcIssuer must use/],
    ['an issuer with a query', { oidcIssuer: 'https://idp.example.com/?tenant=a' }, /oidcIssuer/],
    ['an issuer with a fragment', { oidcIssuer: 'https://idp.example.com/#x' }, /oidcIssuer/],
    ['an issuer that is no URL', { oidcIssuer: 'idp.example.com' }, /oidcIssuer/],
    ['an empty client id', { oidcClientId: ' ' }, /^guichet: missing context oidcClientId/],
    ['an origin with a path', { returnToOrigins: ['https://app.example.com/home'] }, /not a bare origin/],
    ['an origin with a trailing slash', { returnToOrigins: ['https://app.example.com/'] }, /not a bare origin/],
    ['a non-web origin', { returnToOrigins: ['ftp://files.example.com'] }, /not a bare origin/],
    ['an empty origin list', { returnToOrigins: [] }, /returnToOrigins lists nothing/],
    [
      'a CORS origin with a trailing slash',
      { corsOrigins: ['https://app.example.com/'] },
      /corsOrigins: "https:\/\/app.example.com\/" ends with a slash: remove it/,
    ],
    ['a wildcard CORS origin', { corsOrigins: ['*'] }, /corsOrigins: "\*" has a wildcard/],
    ['an empty CORS origin list', { corsOrigins: [] }, /corsOrigins lists nothing/],
    [
      'an http API audience',
      { apiAudiences: { 'http://api.example.com': ['read'] } },
      /apiAudiences: audience "http:\/\/api.example.com" must use https/,
    ],
    [
      'an API audience without scopes',
      { apiAudiences: { 'https://api.example.com': [] } },
      /apiAudiences: scopes of "https:\/\/api.example.com" must be a non-empty array/,
    ],
    [
      'a plain http back-channel logout endpoint',
      { apiAudiences: { 'https://api.example.com': { scopes: ['read'], backchannel_logout_uri: 'http://api.example.com/logout' } } },
      /apiAudiences: backchannel_logout_uri of "https:\/\/api.example.com" must use https/,
    ],
    [
      'a loopback back-channel logout endpoint in a deployed stack',
      { apiAudiences: { 'https://api.example.com': { scopes: ['read'], backchannel_logout_uri: 'http://127.0.0.1:9000/logout' } } },
      /apiAudiences: backchannel_logout_uri of "https:\/\/api.example.com" is on a loopback host, which only local mode/,
    ],
    [
      'logout deliveries retried more than a week',
      { logoutDeliveryMaxAgeSeconds: 604_801 },
      /logoutDeliveryMaxAgeSeconds must be at most 604800/,
    ],
    [
      'user tokens of more than an hour',
      { userTokenTtlSeconds: 7200 },
      /userTokenTtlSeconds must be at most 3600: user tokens are meant to be short-lived, got 7200/,
    ],
    ['a zero user-token lifetime', { userTokenTtlSeconds: 0 }, /userTokenTtlSeconds must be a positive whole number/],
    ['a zero poll concurrency', { pollReservedConcurrency: 0 }, /pollReservedConcurrency must be a positive whole number/],
    ['a fractional poll concurrency', { pollReservedConcurrency: 2.5 }, /pollReservedConcurrency must be a positive/],
    ['a poll concurrency above 1000', { pollReservedConcurrency: 1001 }, /pollReservedConcurrency must be at most 1000/],
    ['a scheme with a colon', { nativeAppRedirectSchemes: ['visio:'] }, /not an RFC 3986 scheme/],
    ['a scheme starting with a digit', { nativeAppRedirectSchemes: ['1app'] }, /not an RFC 3986 scheme/],
    ['the https scheme', { nativeAppRedirectSchemes: ['HTTPS'] }, /"HTTPS" is not a custom scheme/],
    ['the javascript scheme', { nativeAppRedirectSchemes: ['javascript'] }, /not a custom scheme/],
    ['a zero TTL', { sessionTtlSeconds: 0 }, /sessionTtlSeconds must be a positive whole number/],
    ['a fractional TTL', { accessTokenTtlSeconds: 1.5 }, /accessTokenTtlSeconds/],
    ['a negative TTL', { exchangeCodeTtlSeconds: -30 }, /exchangeCodeTtlSeconds/],
    ['a zero token failure limit', { tokenFailureLimit: 0 }, /tokenFailureLimit must be a positive whole number/],
    ['a fractional token window', { tokenFailureWindowSeconds: 0.5 }, /tokenFailureWindowSeconds/],
    ['a negative key cache time', { signingKeysCacheSeconds: -1 }, /signingKeysCacheSeconds/],
    ['a zero alarm threshold', { authFailureAlarmThreshold: 0 }, /authFailureAlarmThreshold/],
    [
      'an unknown signing algorithm',
      { signingAlgorithm: 'HS256' as GuichetProps['signingAlgorithm'] },
      /signingAlgorithm must be one of RS256, ES256, got "HS256"/,
    ],
    ['a lowercase signing algorithm', { signingAlgorithm: 'rs256' as GuichetProps['signingAlgorithm'] }, /signingAlgorithm must be one of/],
    [
      'a custom domain without certificate',
      { customDomainName: 'auth.example.com', certificateArn: '' },
      /customDomainName needs certificateArn: an ACM certificate in the stack's region/,
    ],
    [
      'a custom domain without name',
      { customDomainName: '', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' },
      /certificateArn needs customDomainName: the domain the certificate is for/,
    ],
    [
      'a custom domain that is no host name',
      { customDomainName: 'auth', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/abc' },
      /customDomainName must be a host name such as auth.example.com, got "auth"/,
    ],
    [
      'a certificate that is no ACM ARN',
      { customDomainName: 'auth.example.com', certificateArn: 'arn:aws:iam::123456789012:certificate/a' },
      /certificateArn must be an ACM certificate ARN, got "arn:aws:iam::/,
    ],
    ['a zero add-in rate limit', { addonsRateLimit: 0 }, /addonsRateLimit must be a positive whole number/],
    ['a retention CloudWatch Logs lacks', { logRetentionDays: 31 }, /logRetentionDays must be a CloudWatch Logs retention in days/],
    ['a 5xx rate of 0 %', { serverErrorRateAlarmPercent: 0 }, /serverErrorRateAlarmPercent must be above 0/],
    ['a 5xx rate above 100 %', { serverErrorRateAlarmPercent: 101 }, /serverErrorRateAlarmPercent/],
    ['an alarm e-mail without @', { alarmEmail: 'ops.example.com' }, /alarmEmail must be an e-mail address/],
    ['an alarm e-mail without domain', { alarmEmail: 'ops@localhost' }, /alarmEmail/],
    ['two alarm e-mails', { alarmEmail: 'a@example.com,b@example.com' }, /alarmEmail/],
    [
      'a fractional default rate',
      { defaultThrottleRate: 1.5, defaultThrottleBurst: 10 },
      /defaultThrottleRate must be a positive whole number, got 1.5/,
    ],
    [
      'a zero default burst',
      { defaultThrottleRate: 10, defaultThrottleBurst: 0 },
      /defaultThrottleBurst must be a positive whole number, got 0/,
    ],
    [
      'a throttle for an unknown route',
      { routeThrottles: { OauthToken: { rateLimit: 1, burstLimit: 1 } } },
      /routeThrottles: "OauthToken" is no route id \(AuthLogin, /,
    ],
    [
      'a route throttle without burst',
      { routeThrottles: { Jwks: { rateLimit: 1 } as RouteThrottle } },
      /routeThrottles: Jwks.burstLimit must be a positive whole number, got undefined/,
    ],
    [
      'a route throttle that is a number',
      { routeThrottles: { Jwks: 5 as unknown as RouteThrottle } },
      /routeThrottles: Jwks.rateLimit must be/,
    ],
    [
      'an example product API for an audience not listed',
      { exampleProductApi: { audience: 'https://api.product.example', scope: 'profile:read' } },
      /exampleProductApi: audience "https:\/\/api.product.example" is not listed in apiAudiences/,
    ],
    [
      'an example product API with a scope its audience does not accept',
      {
        apiAudiences: { 'https://api.product.example': ['notes:write'] },
        exampleProductApi: { audience: 'https://api.product.example', scope: 'profile:read' },
      },
      /exampleProductApi: scope "profile:read" is not among the scopes of "https:\/\/api.product.example" \(notes:write\)/,
    ],
    [
      'an example product API that is not an object of audience and scope',
      { exampleProductApi: 42 as unknown as GuichetProps['exampleProductApi'] },
      /exampleProductApi: must be \{ "audience"/,
    ],
    [
      'route throttles that are a list',
      { routeThrottles: [] as unknown as GuichetProps['routeThrottles'] },
      /routeThrottles: must map route ids to \{ rateLimit, burstLimit \}/,
    ],
  ])('refuses %s', (_case, overrides, message) => {
    expect(withProps(overrides)).toThrow(message);
  });

  test.each(['http://127.0.0.1:8788', 'http://localhost:9000/realms/dev', 'http://[::1]:9000'])(
    'accepts the loopback issuer of a development IdP: %s',
    (oidcIssuer) => {
      expect(withProps({ oidcIssuer })).not.toThrow();
    },
  );

  test('reports every problem at once', () => {
    expect(withProps({ oidcIssuer: 'http://x', sessionTtlSeconds: 0 })).toThrow(/oidcIssuer[\s\S]*sessionTtlSeconds/);
  });
});

test('accepts exactly the signing algorithms the rotation handler generates', () => {
  expect(STACK_SETTINGS.signingAlgorithm.oneOf).toBe(SIGNING_ALGORITHMS);
  for (const signingAlgorithm of SIGNING_ALGORITHMS) expect(withProps({ signingAlgorithm })).not.toThrow();
});
