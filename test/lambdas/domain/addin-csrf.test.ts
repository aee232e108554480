import { addinCsrfToken, isValidAddinCsrfToken } from '../../../lambdas/domain/addin-csrf';

describe('add-in CSRF token', () => {
  it('is the HMAC-SHA256 of the session id under the key', () => {
    // RFC 4231 test case 2: HMAC-SHA256(key "Jefe", "what do ya want for nothing?").
    expect(Buffer.from(addinCsrfToken('what do ya want for nothing?', 'Jefe'), 'base64url').toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('accepts only the token of this session under this key', () => {
    const token = addinCsrfToken('session-a', 'key');
    expect(isValidAddinCsrfToken(token, 'session-a', 'key')).toBe(true);
    expect(isValidAddinCsrfToken(token, 'session-b', 'key')).toBe(false);
    expect(isValidAddinCsrfToken(token, 'session-a', 'other key')).toBe(false);
    expect(isValidAddinCsrfToken(undefined, 'session-a', 'key')).toBe(false);
    expect(isValidAddinCsrfToken('', 'session-a', 'key')).toBe(false);
  });
});
