import { AccessDenied } from '../../../../lambdas/shared/errors';
import { scriptedRequestsOnly } from '../../../../lambdas/shared/middleware/scripted-requests';
import { httpEvent, middyRequest } from '../../../support/api-event';

const refusals: number[] = [];
const guard = scriptedRequestsOnly(['https://auth.example.com', 'https://app.example.com'], () => refusals.push(1));
const check = (headers: Record<string, string>) => () => guard.before!(middyRequest(httpEvent({ method: 'POST', headers })));

describe('scriptedRequestsOnly', () => {
  beforeEach(() => refusals.splice(0));

  it.each([['https://auth.example.com'], ['https://app.example.com']])('lets a script of %s through', (origin) => {
    expect(check({ origin, 'X-Requested-With': 'guichet' })).not.toThrow();
    expect(refusals).toHaveLength(0);
  });

  it.each([
    ['no Origin', { 'x-requested-with': 'guichet' }, 'own or a listed origin'],
    ['an unlisted Origin', { origin: 'https://evil.example', 'x-requested-with': 'guichet' }, 'own or a listed origin'],
    ['the opaque Origin of a sandboxed page', { origin: 'null', 'x-requested-with': 'guichet' }, 'own or a listed origin'],
    ['a listed Origin without the header (a form post)', { origin: 'https://app.example.com' }, 'X-Requested-With: guichet'],
    [
      'a listed Origin with another header value',
      { origin: 'https://app.example.com', 'x-requested-with': 'XMLHttpRequest' },
      'X-Requested-With: guichet',
    ],
  ])('refuses %s with 403 access_denied, and counts it', (_, headers, description) => {
    expect(check(headers)).toThrow(AccessDenied);
    expect(check(headers)).toThrow(description);
    expect(refusals).toHaveLength(2);
  });
});
