import { type AppConfig, ConfigError, loadConfig } from '../../../lambdas/shared/config';
import { corsOriginProblem, nativeSchemeProblem } from '../../../lambdas/shared/setting-rules';

const MINIMAL = {
  GUICHET_PUBLIC_URL: 'https://auth.example.com',
  OIDC_ISSUER: 'https://idp.example.com/realms/main',
  OIDC_CLIENT_ID: 'guichet',
};

/** The problems loadConfig reports for an environment, or a failure if it accepts it. */
function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  test('applies the contract defaults when only the required variables are set', () => {
    expect(loadConfig(MINIMAL)).toEqual<AppConfig>({
      publicUrl: 'https://auth.example.com',
      oidcIssuer: 'https://idp.example.com/realms/main',
      oidcClientId: 'guichet',
      oidcScopes: 'openid email profile',
      returnToOrigins: ['https://auth.example.com'],
      nativeAppRedirectSchemes: ['visio'],
      sessionTtlSeconds: 43200,
      loginFlowTtlSeconds: 600,
      loginRateLimit: 300,
      loginRateLimitWindowSeconds: 300,
      exchangeCodeTtlSeconds: 30,
      sessionExchangeFailureLimit: 10,
      sessionExchangeFailureWindowSeconds: 300,
      addonsSessionTtlSeconds: 600,
      addonsRateLimit: 30,
      addonsRateLimitWindowSeconds: 300,
      addonsPollLimit: 600,
      addonsLongPollLimit: 20,
      addonsTransitTokenTtlSeconds: 120,
      addonsTokenScope: 'addons',
      addonsTokenTtlSeconds: 3600,
      accessTokenTtlSeconds: 3600,
      accessTokenAudience: 'https://auth.example.com/external-api',
      tokenFailureLimit: 20,
      tokenFailureWindowSeconds: 300,
      signingKeysCacheSeconds: 300,
      corsOrigins: [],
      apiAudiences: {},
      backchannelLogoutUris: {},
      logoutDeliveryMaxAgeSeconds: 86400,
      userTokenTtlSeconds: 300,
      allowLoopbackEndpoints: false,
    });
  });

  test('reads every optional variable', () => {
    const config = loadConfig({
      ...MINIMAL,
      OIDC_SCOPES: 'openid email',
      RETURN_TO_ORIGINS: 'https://app.example.com, https://admin.example.com:8443',
      NATIVE_APP_REDIRECT_SCHEMES: 'visio, com.example.app',
      SESSION_TTL_SECONDS: '3600',
      EXCHANGE_CODE_TTL_SECONDS: '45',
      SESSION_EXCHANGE_FAILURE_LIMIT: '5',
      SESSION_EXCHANGE_FAILURE_WINDOW_SECONDS: '60',
      ADDONS_SESSION_TTL_SECONDS: '300',
      ADDONS_RATE_LIMIT: '12',
      ADDONS_RATE_LIMIT_WINDOW_SECONDS: '90',
      ADDONS_TRANSIT_TOKEN_TTL_SECONDS: '60',
      ADDONS_TOKEN_SCOPE: 'office',
      ADDONS_TOKEN_TTL_SECONDS: '900',
      ACCESS_TOKEN_TTL_SECONDS: '1800',
      ACCESS_TOKEN_AUDIENCE: 'https://api.example.com',
      CORS_ORIGINS: 'https://app.example.com, http://localhost:3000',
      API_AUDIENCES: '{"https://api.example.com": ["read", "write"], "https://calendar.example.com": ["calendar"]}',
      USER_TOKEN_TTL_SECONDS: '600',
    });
    expect(config).toMatchObject({
      oidcScopes: 'openid email',
      returnToOrigins: ['https://app.example.com', 'https://admin.example.com:8443'],
      nativeAppRedirectSchemes: ['visio', 'com.example.app'],
      sessionTtlSeconds: 3600,
      exchangeCodeTtlSeconds: 45,
      sessionExchangeFailureLimit: 5,
      sessionExchangeFailureWindowSeconds: 60,
      addonsSessionTtlSeconds: 300,
      addonsRateLimit: 12,
      addonsRateLimitWindowSeconds: 90,
      addonsTransitTokenTtlSeconds: 60,
      addonsTokenScope: 'office',
      addonsTokenTtlSeconds: 900,
      accessTokenTtlSeconds: 1800,
      accessTokenAudience: 'https://api.example.com',
      corsOrigins: ['https://app.example.com', 'http://localhost:3000'],
      apiAudiences: { 'https://api.example.com': ['read', 'write'], 'https://calendar.example.com': ['calendar'] },
      userTokenTtlSeconds: 600,
    });
  });

  test('drops trailing slashes from the public URL, also in the default audience', () => {
    const config = loadConfig({ ...MINIMAL, GUICHET_PUBLIC_URL: 'https://auth.example.com/base//' });
    expect(config.publicUrl).toBe('https://auth.example.com/base');
    expect(config.accessTokenAudience).toBe('https://auth.example.com/base/external-api');
  });

  test('defaults the return-to origins to the bare origin of a public URL with a path', () => {
    expect(loadConfig({ ...MINIMAL, GUICHET_PUBLIC_URL: 'https://auth.example.com:8443/guichet' }).returnToOrigins).toEqual([
      'https://auth.example.com:8443',
    ]);
  });

  test('reports every missing required variable at once', () => {
    const problems = problemsOf({});
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringContaining('GUICHET_PUBLIC_URL'),
        expect.stringContaining('OIDC_ISSUER'),
        expect.stringContaining('OIDC_CLIENT_ID'),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  test('counts a blank required variable as missing', () => {
    expect(problemsOf({ ...MINIMAL, OIDC_CLIENT_ID: '   ' })).toEqual(['OIDC_CLIENT_ID is required']);
  });

  test('reports problems of different variables together, each named in the message', () => {
    const env = {
      ...MINIMAL,
      OIDC_ISSUER: 'http://idp.example.com',
      SESSION_TTL_SECONDS: 'twelve hours',
      NATIVE_APP_REDIRECT_SCHEMES: 'javascript',
    };
    expect(problemsOf(env)).toHaveLength(3);
    for (const name of ['OIDC_ISSUER', 'SESSION_TTL_SECONDS', 'NATIVE_APP_REDIRECT_SCHEMES']) {
      expect(() => loadConfig(env)).toThrow(name);
    }
  });

  test.each([
    'ftp://auth.example.com',
    'auth.example.com',
    'https://auth.example.com?x=1',
    'https://auth.example.com#top',
    'https://auth.example.com?',
    'https://auth.example.com/#',
  ])('refuses the public URL %s', (value) => {
    expect(problemsOf({ ...MINIMAL, GUICHET_PUBLIC_URL: value })).toEqual([
      'GUICHET_PUBLIC_URL must be an http(s) URL without query or fragment',
    ]);
  });

  test.each(['http://idp.example.com', 'http://10.0.0.5:8080', 'http://localhost.example.com'])(
    'refuses a plain http issuer off loopback: %s',
    (issuer) => {
      expect(problemsOf({ ...MINIMAL, OIDC_ISSUER: issuer })).toEqual([expect.stringMatching(/^OIDC_ISSUER must use https/)]);
    },
  );

  test.each(['http://127.0.0.1:9000', 'http://localhost:9000/realms/dev', 'http://[::1]:9000', 'https://idp.example.com'])(
    'accepts the issuer %s',
    (issuer) => {
      expect(loadConfig({ ...MINIMAL, OIDC_ISSUER: issuer }).oidcIssuer).toBe(issuer);
    },
  );

  test('refuses an issuer that is not a URL', () => {
    expect(problemsOf({ ...MINIMAL, OIDC_ISSUER: 'idp' })).toEqual(['OIDC_ISSUER must be an http(s) URL without query or fragment']);
  });

  test.each([
    ['a trailing slash', 'https://app.example.com/'],
    ['a path', 'https://app.example.com/app'],
    ['an upper-case host', 'https://App.example.com'],
    ['a default port', 'https://app.example.com:443'],
  ])('refuses a return-to origin with %s', (_, origin) => {
    expect(problemsOf({ ...MINIMAL, RETURN_TO_ORIGINS: `https://ok.example.com,${origin}` })).toEqual([
      `RETURN_TO_ORIGINS: "${origin}" is not a bare origin such as https://app.example.com`,
    ]);
  });

  test('refuses a return-to origin that is not an http(s) URL', () => {
    expect(problemsOf({ ...MINIMAL, RETURN_TO_ORIGINS: 'visio://app' })).toEqual([
      'RETURN_TO_ORIGINS: "visio://app" is not a bare origin such as https://app.example.com',
    ]);
  });

  test('lower-cases native schemes', () => {
    expect(loadConfig({ ...MINIMAL, NATIVE_APP_REDIRECT_SCHEMES: 'Visio,COM.Example.App' }).nativeAppRedirectSchemes).toEqual([
      'visio',
      'com.example.app',
    ]);
  });

  test.each(['https', 'http', 'javascript', 'data', 'file', 'vbscript', 'my_app', '1app', 'visio:'])(
    'refuses the native scheme %s',
    (scheme) => {
      expect(problemsOf({ ...MINIMAL, NATIVE_APP_REDIRECT_SCHEMES: `visio,${scheme}` })).toEqual([
        `NATIVE_APP_REDIRECT_SCHEMES: ${nativeSchemeProblem(scheme)}`,
      ]);
      expect(nativeSchemeProblem(scheme)).toMatch(/^".+" is not (an RFC 3986|a custom) scheme/);
    },
  );

  test('refuses an issuer with a bare "?"', () => {
    expect(problemsOf({ ...MINIMAL, OIDC_ISSUER: 'https://idp.example.com?' })).toEqual([
      'OIDC_ISSUER must be an http(s) URL without query or fragment',
    ]);
  });

  test.each([
    ['RETURN_TO_ORIGINS', ' , '],
    ['NATIVE_APP_REDIRECT_SCHEMES', ','],
  ])('refuses a %s that lists nothing instead of silently emptying it', (name, value) => {
    expect(problemsOf({ ...MINIMAL, [name]: value })).toEqual([`${name} lists nothing: leave it unset for the default`]);
  });

  test.each(['0', '-30', '1.5', 'thirty', '9007199254740993', '1e3', '0x10', ' 12 0'])('refuses the lifetime %s', (value) => {
    expect(problemsOf({ ...MINIMAL, EXCHANGE_CODE_TTL_SECONDS: value })).toEqual([
      expect.stringMatching(/^EXCHANGE_CODE_TTL_SECONDS must be a positive whole number/),
    ]);
  });

  test('refuses a failure limit that is not a positive whole number', () => {
    expect(problemsOf({ ...MINIMAL, SESSION_EXCHANGE_FAILURE_LIMIT: '0' })).toEqual([
      expect.stringMatching(/^SESSION_EXCHANGE_FAILURE_LIMIT must be a positive whole number/),
    ]);
  });

  test('uses the default for a blank lifetime', () => {
    expect(loadConfig({ ...MINIMAL, SESSION_TTL_SECONDS: ' ' }).sessionTtlSeconds).toBe(43200);
  });
});

describe('the user-token settings', () => {
  test.each(['https://app.example.com/', 'https://*.example.com', 'null', 'http://app.example.com'])(
    'refuses the CORS origin %s, naming the variable',
    (origin) => {
      expect(problemsOf({ ...MINIMAL, CORS_ORIGINS: `https://ok.example.com,${origin}` })).toEqual([
        `CORS_ORIGINS: ${corsOriginProblem(origin)}`,
      ]);
    },
  );

  test('refuses a CORS_ORIGINS that lists nothing', () => {
    expect(problemsOf({ ...MINIMAL, CORS_ORIGINS: ',' })).toEqual(['CORS_ORIGINS lists nothing: leave it unset for the default']);
  });

  test('refuses API_AUDIENCES that are not JSON', () => {
    expect(problemsOf({ ...MINIMAL, API_AUDIENCES: "{'https://api.example.com': ['read']}" })).toEqual([
      expect.stringMatching(/^API_AUDIENCES must be JSON \(.+\), got \{'https/),
    ]);
  });

  test('reports every problem of API_AUDIENCES, naming the variable', () => {
    expect(problemsOf({ ...MINIMAL, API_AUDIENCES: '{"http://api.example.com": ["read", "read"]}' })).toEqual([
      expect.stringMatching(/^API_AUDIENCES: audience "http:\/\/api.example.com" must use https/),
      'API_AUDIENCES: scopes of "http://api.example.com" lists "read" twice',
    ]);
    expect(problemsOf({ ...MINIMAL, API_AUDIENCES: 'null' })).toEqual([
      'API_AUDIENCES: must be a JSON object mapping audience URIs to arrays of scopes, got null',
    ]);
  });

  test('API_AUDIENCES inherit nothing, so a caller-chosen audience such as "constructor" finds no scopes', () => {
    const { apiAudiences } = loadConfig({ ...MINIMAL, API_AUDIENCES: '{"https://api.example.com": ["read"]}' });
    expect(apiAudiences['constructor']).toBeUndefined();
    expect(apiAudiences['https://api.example.com']).toEqual(['read']);
    expect(loadConfig(MINIMAL).apiAudiences['toString']).toBeUndefined();
  });

  test('API_AUDIENCES may register a back-channel logout endpoint per audience, beside the array form', () => {
    const config = loadConfig({
      ...MINIMAL,
      API_AUDIENCES: JSON.stringify({
        'https://api.example.com': { scopes: ['read'], backchannel_logout_uri: 'https://api.example.com/logout' },
        'https://calendar.example.com': ['calendar'],
      }),
    });
    expect(config.apiAudiences).toEqual({ 'https://api.example.com': ['read'], 'https://calendar.example.com': ['calendar'] });
    expect(config.backchannelLogoutUris).toEqual({ 'https://api.example.com': 'https://api.example.com/logout' });
    expect(config.backchannelLogoutUris['constructor']).toBeUndefined();
  });

  test.each([
    ['http://api.example.com/logout', /must use https/],
    ['http://127.0.0.1:9000/logout', /loopback host, which only local mode/],
    ['https://localhost/logout', /loopback host, which only local mode/],
    ['https://user:pw@api.example.com/logout', /carries user information/],
    ['https://api.example.com/logout#x', /has a fragment/],
    ['/logout', /not an absolute https URL/],
    [42, /must be a URL, got 42/],
  ])('refuses the back-channel logout endpoint %p of a deployed stack', (uri, problem) => {
    const audiences = JSON.stringify({ 'https://api.example.com': { scopes: ['read'], backchannel_logout_uri: uri } });
    expect(problemsOf({ ...MINIMAL, API_AUDIENCES: audiences })).toEqual([
      expect.stringMatching(new RegExp(`^API_AUDIENCES: backchannel_logout_uri of "https://api.example.com" .*${problem.source}`)),
    ]);
  });

  test('accepts a loopback http logout endpoint only with ALLOW_LOOPBACK_ENDPOINTS (local mode)', () => {
    const registration = { scopes: ['read'], backchannel_logout_uri: 'http://127.0.0.1:9000/bcl' };
    const audiences = JSON.stringify({ 'https://api.example.com': registration });
    const config = loadConfig({ ...MINIMAL, API_AUDIENCES: audiences, ALLOW_LOOPBACK_ENDPOINTS: 'true' });
    expect(config.backchannelLogoutUris['https://api.example.com']).toBe('http://127.0.0.1:9000/bcl');
  });

  test('refuses an audience object without scopes or with unknown keys', () => {
    const audiences = JSON.stringify({ 'https://api.example.com': { backchannel_logout_uri: 'https://api.example.com/l', logout: 'x' } });
    expect(problemsOf({ ...MINIMAL, API_AUDIENCES: audiences })).toEqual([
      'API_AUDIENCES: "https://api.example.com" has unknown keys logout: only scopes, backchannel_logout_uri',
      'API_AUDIENCES: scopes of "https://api.example.com" must be a non-empty array of scopes',
    ]);
  });

  test('retries logout deliveries a day by default, at most a week', () => {
    expect(loadConfig({ ...MINIMAL, LOGOUT_DELIVERY_MAX_AGE_SECONDS: '604800' }).logoutDeliveryMaxAgeSeconds).toBe(604800);
    expect(problemsOf({ ...MINIMAL, LOGOUT_DELIVERY_MAX_AGE_SECONDS: '604801' })).toEqual([
      expect.stringMatching(/^LOGOUT_DELIVERY_MAX_AGE_SECONDS must be at most 604800/),
    ]);
  });

  test('accepts user tokens of up to an hour and refuses longer ones, saying why', () => {
    expect(loadConfig({ ...MINIMAL, USER_TOKEN_TTL_SECONDS: '3600' }).userTokenTtlSeconds).toBe(3600);
    expect(problemsOf({ ...MINIMAL, USER_TOKEN_TTL_SECONDS: '3601' })).toEqual([
      'USER_TOKEN_TTL_SECONDS must be at most 3600: user tokens are meant to be short-lived, got 3601',
    ]);
    expect(problemsOf({ ...MINIMAL, USER_TOKEN_TTL_SECONDS: '0' })).toEqual([
      'USER_TOKEN_TTL_SECONDS must be a positive whole number, got "0"',
    ]);
  });
});

describe('appConfig', () => {
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  test('reads the process environment once and keeps that configuration', () => {
    jest.isolateModules(() => {
      const { appConfig } = require('../../../lambdas/shared/config') as typeof import('../../../lambdas/shared/config');
      Object.assign(process.env, MINIMAL);
      const first = appConfig();
      expect(first.oidcClientId).toBe('guichet');
      process.env.OIDC_CLIENT_ID = 'changed';
      expect(appConfig()).toBe(first);
    });
  });

  test('fails with every problem when the process environment is incomplete', () => {
    jest.isolateModules(() => {
      const isolated = require('../../../lambdas/shared/config') as typeof import('../../../lambdas/shared/config');
      for (const name of Object.keys(MINIMAL)) delete process.env[name];
      expect(() => isolated.appConfig()).toThrow(isolated.ConfigError);
      expect(() => isolated.appConfig()).toThrow('GUICHET_PUBLIC_URL is required');
    });
  });
});

describe('ALLOW_LOOPBACK_ENDPOINTS', () => {
  test('is off unless set to true, and refuses anything but true or false', () => {
    expect(loadConfig(MINIMAL).allowLoopbackEndpoints).toBe(false);
    expect(loadConfig({ ...MINIMAL, ALLOW_LOOPBACK_ENDPOINTS: 'true' }).allowLoopbackEndpoints).toBe(true);
    expect(loadConfig({ ...MINIMAL, ALLOW_LOOPBACK_ENDPOINTS: 'false' }).allowLoopbackEndpoints).toBe(false);
    expect(problemsOf({ ...MINIMAL, ALLOW_LOOPBACK_ENDPOINTS: 'yes' })).toEqual([
      'ALLOW_LOOPBACK_ENDPOINTS must be true or false, got "yes"',
    ]);
  });
});
