import { clearCookie, cookieName, type GuichetCookie, readCookie, setCookie } from '../../../lambdas/shared/cookies';
import { httpEvent } from '../../support/api-event';

const SESSION: GuichetCookie = { name: 'guichet_session', sameSite: 'Lax' };
const ADDIN: GuichetCookie = { name: 'guichet_addons_sid', sameSite: 'None', partitioned: true };
const HTTPS = 'https://auth.example.com';
const HTTP = 'http://127.0.0.1:8787';

describe('cookieName', () => {
  test('takes the __Host- prefix on https, so that no sibling subdomain can set it', () => {
    expect(cookieName(SESSION, HTTPS)).toBe('__Host-guichet_session');
  });

  test('keeps the plain name on local http, where a browser would refuse the prefix', () => {
    expect(cookieName(SESSION, HTTP)).toBe('guichet_session');
  });
});

describe('setCookie', () => {
  test('on https: __Host- name, Path=/, Secure and no Domain, as the prefix requires', () => {
    expect(setCookie(SESSION, 'abc', 3600, HTTPS)).toBe('__Host-guichet_session=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax; Secure');
  });

  test('on local http: the plain name, not Secure', () => {
    expect(setCookie(SESSION, 'abc', 3600, HTTP)).toBe('guichet_session=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax');
  });

  test('a SameSite=None cookie is Secure and Partitioned everywhere, and __Host- on https', () => {
    const scope = 'Path=/; Max-Age=600; HttpOnly; SameSite=None; Secure; Partitioned';
    expect(setCookie(ADDIN, 'xyz', 600, HTTPS)).toBe(`__Host-guichet_addons_sid=xyz; ${scope}`);
    expect(setCookie(ADDIN, 'xyz', 600, HTTP)).toBe(`guichet_addons_sid=xyz; ${scope}`);
  });

  test('never names a Domain', () => {
    for (const url of [HTTPS, HTTP]) for (const cookie of [SESSION, ADDIN]) expect(setCookie(cookie, 'v', 1, url)).not.toMatch(/domain/i);
  });
});

describe('clearCookie', () => {
  test('clears the value with Max-Age=0, under the same name and scope', () => {
    expect(clearCookie(SESSION, HTTPS)).toBe('__Host-guichet_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure');
    expect(clearCookie(SESSION, HTTP)).toBe('guichet_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax');
  });
});

describe('readCookie', () => {
  const read = (cookies: string[] | undefined, publicUrl = HTTP) => readCookie(httpEvent({ cookies }), SESSION, publicUrl);

  test('reads the named cookie among others', () => {
    expect(read(['theme=dark', 'guichet_session=abc', 'lang=fr'])).toBe('abc');
  });

  test('on https, reads only the __Host- cookie: a plain one planted by a sibling domain is ignored', () => {
    expect(read(['guichet_session=planted'], HTTPS)).toBeUndefined();
    expect(read(['guichet_session=planted', '__Host-guichet_session=abc'], HTTPS)).toBe('abc');
  });

  test('on http, ignores a __Host- cookie', () => {
    expect(read(['__Host-guichet_session=abc'])).toBeUndefined();
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
