import { AccessDenied } from '../../../../lambdas/shared/errors';
import { knownOriginsOnly, listedOriginOnly } from '../../../../lambdas/shared/middleware/known-origins';
import { httpEvent, middyRequest } from '../../../support/api-event';

const guard = knownOriginsOnly(['https://auth.example.com', 'https://addin.example.com']);
const check = (headers: Record<string, string>) => () => guard.before!(middyRequest(httpEvent({ method: 'POST', headers })));

describe('knownOriginsOnly', () => {
  it.each([['https://auth.example.com'], ['https://addin.example.com']])('lets a page of %s through', (origin) => {
    expect(check({ origin })).not.toThrow();
  });

  it('lets a caller without Origin through: native apps, servers and the IdP send none', () => {
    expect(check({})).not.toThrow();
  });

  it("lets a form of guichet's own pages through: no-referrer makes it Origin: null, the browser's Sec-Fetch-Site says same-origin", () => {
    expect(check({ origin: 'null', 'sec-fetch-site': 'same-origin' })).not.toThrow();
  });

  it.each([['cross-site'], ['same-site'], ['none']])('refuses Origin: null from a page not of guichet (Sec-Fetch-Site: %s)', (site) => {
    expect(check({ origin: 'null', 'sec-fetch-site': site })).toThrow(AccessDenied);
  });

  it.each([
    ['https://evil.example'],
    ['null'],
    ['https://auth.example.com.evil.example'],
    ['http://auth.example.com'],
    ['https://AUTH.example.com'],
  ])('refuses a page of %s with 403 access_denied, naming no origin', (origin) => {
    expect(check({ Origin: origin })).toThrow(AccessDenied);
    expect(check({ Origin: origin })).toThrow('this endpoint does not answer pages of that origin');
  });
});

describe('listedOriginOnly', () => {
  const listed = listedOriginOnly(['https://addin.example.com']);
  const checkListed = (headers: Record<string, string>) => () => listed.before!(middyRequest(httpEvent({ method: 'POST', headers })));

  it('lets a page of a listed origin through', () => {
    expect(checkListed({ Origin: 'https://addin.example.com' })).not.toThrow();
  });

  it.each([
    ['no Origin at all (a script, a server)', {}],
    ['an unlisted origin', { origin: 'https://evil.example' }],
    ['a look-alike', { origin: 'https://addin.example.com.evil.example' }],
    ['"null"', { origin: 'null' }],
  ])('refuses %s with 403 access_denied', (_, headers: Record<string, string>) => {
    expect(checkListed(headers)).toThrow(AccessDenied);
    expect(checkListed(headers)).toThrow('only a page of an origin listed in CORS_ORIGINS may start this');
  });
});
