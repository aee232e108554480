import { addonCsrfToken, isValidAddonCsrfToken } from '../../../lambdas/domain/addon-csrf';

describe('add-in CSRF token', () => {
  it('is the HMAC-SHA256 of the session id under the key', () => {
    // RFC 4231 test case 2: HMAC-SHA256(key "Jefe", "what do ya want for nothing?").
    expect(Buffer.from(addonCsrfToken('what do ya want for nothing?', 'Jefe'), 'base64url').toString('hex')).toBe(
      '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    );
  });

  it('accepts only the token of this session under this key', () => {
    const token = addonCsrfToken('session-a', 'key');
    expect(isValidAddonCsrfToken(token, 'session-a', 'key')).toBe(true);
    expect(isValidAddonCsrfToken(token, 'session-b', 'key')).toBe(false);
    expect(isValidAddonCsrfToken(token, 'session-a', 'other key')).toBe(false);
    expect(isValidAddonCsrfToken(undefined, 'session-a', 'key')).toBe(false);
    expect(isValidAddonCsrfToken('', 'session-a', 'key')).toBe(false);
  });
});
