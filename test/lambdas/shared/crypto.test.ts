import { randomSecret, s256CodeChallenge, safeEqual, sha256 } from '../../../lambdas/shared/crypto';

const BASE64URL_256_BITS = /^[A-Za-z0-9_-]{43}$/;

describe('randomSecret', () => {
  test('is 256 bits of base64url without padding', () => {
    const secret = randomSecret();
    expect(secret).toMatch(BASE64URL_256_BITS);
    expect(Buffer.from(secret, 'base64url')).toHaveLength(32);
  });

  test('never repeats', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => randomSecret()));
    expect(secrets.size).toBe(100);
  });
});

describe('sha256', () => {
  test('matches the FIPS 180-2 "abc" vector, in base64url', () => {
    expect(sha256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
  });

  test('hashes the UTF-8 bytes of the text', () => {
    // SHA-256 of the bytes C3 A9 (UTF-8 of é), not of the single Latin-1 byte E9.
    expect(sha256('\u00e9')).toBe('SplVfkAzw1Od4utlRyAXytX5VX96BiWgnxw_biumnEw');
  });

  test('is a fixed-size digest that does not contain the secret', () => {
    const secret = randomSecret();
    expect(sha256(secret)).toMatch(BASE64URL_256_BITS);
    expect(sha256(secret)).not.toBe(secret);
    expect(sha256(secret)).toBe(sha256(secret));
  });
});

describe('s256CodeChallenge', () => {
  test('matches the RFC 7636 Appendix B example', () => {
    expect(s256CodeChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
});

describe('safeEqual', () => {
  test('is true for equal strings', () => {
    const secret = randomSecret();
    expect(safeEqual(secret, `${secret}`)).toBe(true);
    expect(safeEqual('', '')).toBe(true);
  });

  test.each([
    ['a different value', 'abcdef', 'abcdeg'],
    ['a prefix', 'abc', 'abcdef'],
    ['a longer value', 'abcdefg', 'abcdef'],
    ['an empty value', '', 'abcdef'],
    ['a different case', 'ABCDEF', 'abcdef'],
  ])('is false for %s', (_, actual, expected) => {
    expect(safeEqual(actual, expected)).toBe(false);
  });
});
