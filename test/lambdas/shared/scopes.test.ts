import { isScopeToken } from '../../../lambdas/shared/scopes';

describe('isScopeToken', () => {
  test.each(['read', 'profile:read', 'https://api.example.com/notes.write', '!#[]~', 'x'.repeat(128)])('accepts %j', (scope) => {
    expect(isScopeToken(scope)).toBe(true);
  });

  test.each(['', 'read write', 'say"hi"', 'back\\slash', 'é', 'tab\there', 'x'.repeat(129)])('refuses %j', (scope) => {
    expect(isScopeToken(scope)).toBe(false);
  });
});
