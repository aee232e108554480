import {
  apiAudiencesProblems,
  audienceLogoutUri,
  audienceScopes,
  bareOriginProblem,
  corsOriginProblem,
  httpUrlProblem,
  issuerProblem,
  logoutUriProblem,
  MAX_API_AUDIENCES,
  nativeSchemeProblem,
  userTokenTtlProblem,
} from '../../../lambdas/shared/setting-rules';

describe('issuerProblem', () => {
  test.each(['https://idp.example.com/realms/main', 'http://127.0.0.1:8788', 'http://localhost:9000', 'http://[::1]:9000'])(
    'accepts %s',
    (issuer) => expect(issuerProblem(issuer)).toBeUndefined(),
  );

  test.each([
    ['http://idp.example.com', /^must use https/],
    ['http://localhost.example.com', /^must use https/],
    ['https://idp.example.com?', /without query or fragment/],
    ['https://idp.example.com/#x', /without query or fragment/],
    ['idp.example.com', /must be an http\(s\) URL/],
  ])('refuses %s', (issuer, message) => {
    expect(issuerProblem(issuer)).toMatch(message);
  });
});

describe('httpUrlProblem', () => {
  test.each(['https://auth.example.com', 'http://127.0.0.1:8787', 'https://auth.example.com/base/'])('accepts %s', (url) => {
    expect(httpUrlProblem(url)).toBeUndefined();
  });

  test.each(['auth.example.com', 'ftp://auth.example.com', 'https://auth.example.com?', 'https://auth.example.com/#'])(
    'refuses %s',
    (url) => {
      expect(httpUrlProblem(url)).toBe('must be an http(s) URL without query or fragment');
    },
  );
});

describe('bareOriginProblem', () => {
  test.each(['https://app.example.com', 'https://admin.example.com:8443', 'http://localhost:3000'])('accepts %s', (origin) => {
    expect(bareOriginProblem(origin)).toBeUndefined();
  });

  test.each([
    'https://app.example.com/',
    'https://app.example.com/app',
    'https://App.example.com',
    'https://app.example.com:443',
    'visio://app',
  ])('refuses %s, saying what a bare origin is', (origin) => {
    expect(bareOriginProblem(origin)).toBe(`"${origin}" is not a bare origin such as https://app.example.com`);
  });
});

describe('nativeSchemeProblem', () => {
  test.each(['visio', 'com.example.app+dev', 'Visio'])('accepts %s', (scheme) => {
    expect(nativeSchemeProblem(scheme)).toBeUndefined();
  });

  test.each(['visio:', '1app', 'my_app', ''])('refuses %j, which is no RFC 3986 scheme', (scheme) => {
    expect(nativeSchemeProblem(scheme)).toBe(`"${scheme}" is not an RFC 3986 scheme`);
  });

  test.each(['https', 'HTTP', 'javascript', 'data', 'file', 'blob', 'about', 'vbscript', 'ftp', 'ws', 'wss'])(
    'refuses %s, which a browser handles itself',
    (scheme) => {
      expect(nativeSchemeProblem(scheme)).toBe(`"${scheme}" is not a custom scheme: a browser handles it itself`);
    },
  );
});

describe('corsOriginProblem', () => {
  test.each([
    'https://app.example.com',
    'https://app.example.com:8443',
    'http://localhost:3000',
    'http://127.0.0.1:5173',
    'http://[::1]:8080',
  ])('accepts %s', (origin) => {
    expect(corsOriginProblem(origin)).toBeUndefined();
  });

  test.each([
    ['https://app.example.com/', '"https://app.example.com/" ends with a slash: remove it'],
    ['https://app.example.com/app', '"https://app.example.com/app" has a path: an origin is scheme://host[:port] only'],
    ['https://app.example.com?x=1', '"https://app.example.com?x=1" has a query or fragment'],
    ['https://app.example.com#top', '"https://app.example.com#top" has a query or fragment'],
    ['https://app.example.com/?', '"https://app.example.com/?" has a query or fragment'],
    ['*', '"*" has a wildcard: list each origin'],
    ['https://*.example.com', '"https://*.example.com" has a wildcard: list each origin'],
    ['https://app.example.com*', '"https://app.example.com*" has a wildcard: list each origin'],
    ['null', '"null" is sent by sandboxed frames and local files, which anyone can make'],
    ['https://user:pass@app.example.com', '"https://user:pass@app.example.com" carries user information'],
    ['ftp://files.example.com', '"ftp://files.example.com" is not an http(s) origin'],
    ['chrome-extension://abcdefgh', '"chrome-extension://abcdefgh" is not an http(s) origin'],
    ['http://app.example.com', '"http://app.example.com" uses http: https is required off 127.0.0.1, [::1], localhost'],
    ['http://localhost.example.com', expect.stringContaining('uses http')],
    ['https://App.example.com', expect.stringMatching(/^"https:\/\/App.example.com" is not written as browsers send it/)],
    ['https://app.example.com:443', expect.stringMatching(/as browsers send it: https:\/\/app.example.com$/)],
    ['app.example.com', '"app.example.com" is not an origin such as https://app.example.com'],
  ])('refuses %s', (origin, problem) => {
    expect(corsOriginProblem(origin)).toEqual(problem);
  });
});

describe('apiAudiencesProblems', () => {
  test('accepts https audiences, and http ones on loopback, each with its scopes', () => {
    expect(
      apiAudiencesProblems({
        'https://api.example.com': ['read', 'write'],
        'https://api.example.com/calendar?v=2': ['calendar:read'],
        'http://127.0.0.1:9000': ['dev'],
      }),
    ).toEqual([]);
  });

  test('accepts no audience at all', () => {
    expect(apiAudiencesProblems({})).toEqual([]);
  });

  test.each([[[]], [null], ['https://api.example.com'], [3]])('refuses %j, which is no JSON object', (value) => {
    expect(apiAudiencesProblems(value)).toEqual([
      `must be a JSON object mapping audience URIs to arrays of scopes, got ${JSON.stringify(value)}`,
    ]);
  });

  test.each([
    ['http://api.example.com', 'audience "http://api.example.com" must use https (http is only accepted on 127.0.0.1, [::1], localhost)'],
    ['https://api.example.com#v1', 'audience "https://api.example.com#v1" has a fragment'],
    ['urn:example:api', 'audience "urn:example:api" is not an absolute https URI'],
    ['/api', 'audience "/api" is not an absolute https URI'],
    [' https://api.example.com', 'audience " https://api.example.com" is not an absolute https URI'],
    [`https://example.com/${'a'.repeat(236)}`, expect.stringMatching(/is longer than 255 characters$/)],
  ])('refuses the audience %s', (audience, problem) => {
    expect(apiAudiencesProblems({ [audience]: ['read'] })).toEqual([problem]);
  });

  test('accepts an audience of exactly 255 characters', () => {
    expect(apiAudiencesProblems({ [`https://example.com/${'a'.repeat(235)}`]: ['read'] })).toEqual([]);
  });

  const notAScope = (scope: unknown) =>
    `has ${JSON.stringify(scope)}, not a scope (printable ASCII but space, " and \\, up to 128 characters)`;

  test.each([
    [[], 'must be a non-empty array of scopes'],
    ['read', 'must be a non-empty array of scopes'],
    [['read write'], notAScope('read write')],
    [['read', 'say"hi"'], notAScope('say"hi"')],
    [['back\\slash'], notAScope('back\\slash')],
    [['é'], notAScope('é')],
    [[7], notAScope(7)],
    [['x'.repeat(129)], notAScope('x'.repeat(129))],
    [['read', 'write', 'read'], 'lists "read" twice'],
  ])('refuses the scopes %j', (scopes, problem) => {
    expect(apiAudiencesProblems({ 'https://api.example.com': scopes })).toEqual([`scopes of "https://api.example.com" ${problem}`]);
  });

  test(`refuses more than ${MAX_API_AUDIENCES} audiences, and reports every bad one`, () => {
    const audiences = Object.fromEntries(
      Array.from({ length: MAX_API_AUDIENCES + 1 }, (_, index) => [`https://api${index}.example.com`, ['read']]),
    );
    expect(apiAudiencesProblems(audiences)).toEqual([`lists ${MAX_API_AUDIENCES + 1} audiences, at most 20`]);
    expect(apiAudiencesProblems({ 'http://a.example.com': [], 'https://b.example.com': ['x y'] })).toHaveLength(3);
  });
});

describe('userTokenTtlProblem', () => {
  test('accepts up to an hour', () => {
    expect(userTokenTtlProblem(3600)).toBeUndefined();
  });

  test('refuses more, saying why', () => {
    expect(userTokenTtlProblem(3601)).toBe('must be at most 3600: user tokens are meant to be short-lived, got 3601');
  });
});

describe('back-channel logout endpoints of API_AUDIENCES', () => {
  const registered = (uri: unknown) => ({ 'https://api.example.com': { scopes: ['read'], backchannel_logout_uri: uri } });

  test('the object form registers scopes and an https endpoint; the array form stays valid beside it', () => {
    expect(apiAudiencesProblems({ ...registered('https://api.example.com/logout'), 'https://b.example.com': ['x'] })).toEqual([]);
    expect(audienceScopes({ scopes: ['read'], backchannel_logout_uri: 'https://a.example/l' })).toEqual(['read']);
    expect(audienceScopes(['read'])).toEqual(['read']);
    expect(audienceLogoutUri({ scopes: ['read'], backchannel_logout_uri: 'https://a.example/l' })).toBe('https://a.example/l');
    expect(audienceLogoutUri(['read'])).toBeUndefined();
  });

  test('loopback http only where loopback endpoints are allowed (local mode)', () => {
    expect(apiAudiencesProblems(registered('http://127.0.0.1:9000/logout'), { allowLoopback: true })).toEqual([]);
    expect(apiAudiencesProblems(registered('http://localhost:9000/logout'), { allowLoopback: true })).toEqual([]);
    expect(apiAudiencesProblems(registered('http://127.0.0.1:9000/logout'))).toEqual([
      'backchannel_logout_uri of "https://api.example.com" is on a loopback host, which only local mode (allowLoopbackEndpoints) may call',
    ]);
    expect(apiAudiencesProblems(registered('http://api.example.com/logout'), { allowLoopback: true })).toEqual([
      'backchannel_logout_uri of "https://api.example.com" must use https ' +
        '(http is only accepted on 127.0.0.1, [::1], localhost in local mode)',
    ]);
  });

  test.each([
    ['https://api.example.com/l#f', 'has a fragment'],
    ['https://u:p@api.example.com/l', 'carries user information'],
    ['ftp://api.example.com/l', 'is not an absolute https URL: "ftp://api.example.com/l"'],
    [' https://api.example.com/l', 'is not an absolute https URL: " https://api.example.com/l"'],
    [null, 'must be a URL, got null'],
  ])('refuses %j', (uri, problem) => {
    expect(logoutUriProblem(uri, { allowLoopback: false })).toBe(problem);
  });
});
