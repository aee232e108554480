import { publicSessionId, userTokenTarget } from '../../../lambdas/domain/user-tokens';
import { InvalidScope, InvalidTarget } from '../../../lambdas/shared/errors';

const PRODUCT = 'https://api.product.example';
const DEFAULT_AUDIENCE = 'https://auth.example/external-api';
const audiences = (entries: Record<string, string[]>) => Object.assign(Object.create(null), entries);
const config = {
  accessTokenAudience: DEFAULT_AUDIENCE,
  apiAudiences: audiences({ [PRODUCT]: ['profile:read', 'notes:write'], [DEFAULT_AUDIENCE]: ['addons'] }),
};

describe('userTokenTarget', () => {
  it('grants every scope of the audience asked for by default', () => {
    expect(userTokenTarget({ audience: PRODUCT }, config)).toEqual({ audience: PRODUCT, scopes: ['profile:read', 'notes:write'] });
  });

  it('takes the RFC 8707 resource parameter as the audience, and both when they agree', () => {
    expect(userTokenTarget({ resource: PRODUCT, scope: 'notes:write' }, config)).toEqual({ audience: PRODUCT, scopes: ['notes:write'] });
    expect(userTokenTarget({ audience: PRODUCT, resource: PRODUCT }, config).audience).toBe(PRODUCT);
  });

  it('narrows to the scopes asked for, once each', () => {
    expect(userTokenTarget({ audience: PRODUCT, scope: 'profile:read profile:read' }, config).scopes).toEqual(['profile:read']);
  });

  it('defaults to ACCESS_TOKEN_AUDIENCE when it is listed, and asks for an audience when it is not', () => {
    expect(userTokenTarget({}, config)).toEqual({ audience: DEFAULT_AUDIENCE, scopes: ['addons'] });
    const unlisted = { ...config, apiAudiences: audiences({ [PRODUCT]: ['profile:read'] }) };
    expect(() => userTokenTarget({}, unlisted)).toThrow(new InvalidTarget(`name the API with audience: one of ${PRODUCT}`));
  });

  it.each([
    ['an unlisted audience', { audience: 'https://evil.example' }],
    ['an inherited property name', { audience: 'constructor' }],
    ['a prefix of a listed audience', { audience: 'https://api.product.exampl' }],
    ['a listed audience with a trailing slash', { audience: `${PRODUCT}/` }],
    ['audience and resource naming different APIs', { audience: PRODUCT, resource: DEFAULT_AUDIENCE }],
  ])('refuses %s with invalid_target', (_, request) => {
    expect(() => userTokenTarget(request, config)).toThrow(InvalidTarget);
  });

  it('refuses every audience when none is listed', () => {
    expect(() => userTokenTarget({ audience: PRODUCT }, { ...config, apiAudiences: audiences({}) })).toThrow('API_AUDIENCES lists none');
  });

  it.each([
    ['a scope the audience does not accept', 'profile:read admin', `not accepted by ${PRODUCT}: admin`],
    ['a scope of another audience', 'addons', `not accepted by ${PRODUCT}: addons`],
    ['a malformed scope', 'profile:read "x"', 'malformed'],
    ['a blank scope', ' ', 'names no scope'],
  ])('refuses %s with invalid_scope', (_, scope, description) => {
    expect(() => userTokenTarget({ audience: PRODUCT, scope }, config)).toThrow(InvalidScope);
    expect(() => userTokenTarget({ audience: PRODUCT, scope }, config)).toThrow(description);
  });
});

describe('publicSessionId', () => {
  it('is stable for a session, differs between sessions, and is not the session key', () => {
    const id = 'k'.repeat(43);
    expect(publicSessionId(id)).toBe(publicSessionId(id));
    expect(publicSessionId(id)).not.toBe(publicSessionId('j'.repeat(43)));
    expect(publicSessionId(id)).not.toBe(id);
    expect(publicSessionId(id)).toMatch(/^[\w-]{43}$/);
  });
});
