import { expiredCookie, laxCookieScope, readCookie, serializeCookie } from '../../../lambdas/shared/cookies';
import { httpEvent } from '../../support/api-event';

describe('serializeCookie', () => {
  test('writes an HttpOnly cookie with its path, lifetime and SameSite', () => {
    expect(serializeCookie('guichet_session', 'abc', { path: '/', maxAgeSeconds: 3600, sameSite: 'Lax', secure: false })).toBe(
      'guichet_session=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax',
    );
  });

  test('adds Secure and Partitioned when asked', () => {
    expect(
      serializeCookie('guichet_addons_sid', 'xyz', {
        path: '/addons',
        maxAgeSeconds: 600,
        sameSite: 'None',
        secure: true,
        partitioned: true,
      }),
    ).toBe('guichet_addons_sid=xyz; Path=/addons; Max-Age=600; HttpOnly; SameSite=None; Secure; Partitioned');
  });
});

describe('expiredCookie', () => {
  test('clears the value with Max-Age=0 and the same scope', () => {
    expect(expiredCookie('guichet_session', { path: '/', sameSite: 'Lax', secure: true })).toBe(
      'guichet_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure',
    );
  });
});

describe('readCookie', () => {
  const read = (cookies: string[] | undefined) => readCookie(httpEvent({ cookies }), 'guichet_session');

  test('reads the named cookie among others', () => {
    expect(read(['theme=dark', 'guichet_session=abc', 'lang=fr'])).toBe('abc');
  });

  test('reads a cookie from an entry holding several pairs, trimming spaces', () => {
    expect(read(['theme=dark;  guichet_session=abc ; lang=fr'])).toBe('abc');
  });

  test('keeps "=" inside the value', () => {
    expect(read(['guichet_session=a=b=='])).toBe('a=b==');
  });

  test('is undefined without cookies', () => {
    expect(read(undefined)).toBeUndefined();
    expect(read([])).toBeUndefined();
  });

  test('does not match a name that only starts or ends the same', () => {
    expect(read(['guichet_session_old=abc', 'old_guichet_session=def'])).toBeUndefined();
  });

  test('counts a duplicated name as absent', () => {
    expect(read(['guichet_session=abc', 'guichet_session=def'])).toBeUndefined();
  });

  test('counts a name duplicated inside one entry as absent', () => {
    expect(read(['guichet_session=abc; guichet_session=abc'])).toBeUndefined();
  });

  test('counts an empty value as absent', () => {
    expect(read(['guichet_session='])).toBeUndefined();
  });

  test('ignores an entry without "="', () => {
    expect(read(['guichet_session', 'guichet_session=abc'])).toBe('abc');
  });
});

describe('laxCookieScope', () => {
  test('is Secure on https', () => {
    expect(laxCookieScope('https://auth.example.com', '/')).toEqual({ path: '/', sameSite: 'Lax', secure: true });
  });

  test('is not Secure on plain http (local mode)', () => {
    expect(laxCookieScope('http://127.0.0.1:8787', '/auth')).toEqual({ path: '/auth', sameSite: 'Lax', secure: false });
  });
});
