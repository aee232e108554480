import { validateHeaderValue } from 'node:http';
import fc from 'fast-check';
import { loginReturnTo, webReturnTo } from '../../../lambdas/domain/return-to';
import { type HttpError, InvalidRequest } from '../../../lambdas/shared/errors';

const config = { returnToOrigins: ['https://app.example.com', 'http://127.0.0.1:8787'] };
const returnTo = (raw: string | undefined) => webReturnTo(raw, config);

describe('webReturnTo', () => {
  test('defaults to / when absent or empty', () => {
    expect(returnTo(undefined)).toBe('/');
    expect(returnTo('')).toBe('/');
  });

  test.each(['/', '/rooms/abc-def', '/rooms?x=1&y=%2F%2F#top', '/@evil.example', '/%2F%2Fevil.example'])('keeps the path %s', (path) => {
    expect(returnTo(path)).toBe(path);
  });

  test.each([
    ['https://app.example.com/rooms/abc?x=1#top', 'https://app.example.com/rooms/abc?x=1#top'],
    ['https://app.example.com', 'https://app.example.com/'],
    ['HTTPS://APP.Example.COM/Rooms', 'https://app.example.com/Rooms'],
    ['https://app.example.com:443/a/../b', 'https://app.example.com/b'],
    ['http://127.0.0.1:8787/rooms', 'http://127.0.0.1:8787/rooms'],
  ])('accepts %s on an allowed origin as %s', (raw, href) => {
    expect(returnTo(raw)).toBe(href);
  });

  test.each([
    ['/\u0100', '/\u0100', '/%C4%80'],
    ['an already encoded path', '/%C4%80', '/%C4%80'],
    ['/\u00ff', '/\u00ff', '/%C3%BF'],
    ['a line separator', '/\u2028', '/%E2%80%A8'],
    ['a right-to-left override', '/a\u202eb', '/a%E2%80%AEb'],
    ['a lone percent sign', '/%', '/%'],
    ['a percent sign without hex digits', '/%zz', '/%zz'],
    ['accents in the query and fragment', '/rooms?name=\u00e9t\u00e9#\u00e0-propos', '/rooms?name=%C3%A9t%C3%A9#%C3%A0-propos'],
    ['markup and quotes', '/r/<b>"x"?q=\'y\'', '/r/%3Cb%3E%22x%22?q=%27y%27'],
    ['dot segments', '/rooms/../lobby/./a', '/lobby/a'],
    ['an allowed URL', 'https://app.example.com/\u0100?\u00e9#\u00fc', 'https://app.example.com/%C4%80?%C3%A9#%C3%BC'],
  ])('percent-encodes %s as the browser will receive it', (_, raw, location) => {
    expect(returnTo(raw)).toBe(location);
  });

  test.each([
    ['a protocol-relative URL', '//evil.example/x'],
    ['a protocol-relative URL with three slashes', '///evil.example/x'],
    ['a slash-backslash URL', '/\\evil.example/x'],
    ['a path whose dot segment rebuilds a protocol-relative URL', '/.//evil.example/x'],
    ['a path whose encoded dot segments rebuild a protocol-relative URL', '/%2e%2e//evil.example/x'],
    ['a lone high surrogate', '/rooms\ud800'],
    ['a lone low surrogate', '/\udc00'],
    ['a lone surrogate alone', '\ud800'],
    ['a lone surrogate in an allowed URL', 'https://app.example.com/\ud800'],
    ['a backslash in a path', '/rooms\\..\\x'],
    ['a backslash in an allowed URL', 'https://app.example.com\\@evil.example/'],
    ['a newline', '/rooms\n/x'],
    ['a tab in a protocol-relative URL', '/\t/evil.example'],
    ['a carriage return', 'https://app.example.com/\r\nSet-Cookie: a=1'],
    ['a NUL byte', '/rooms\u0000'],
    ['a space in a path', '/rooms/a b'],
    ['a leading space before a foreign URL', ' https://evil.example/'],
    ['a DEL character', '/rooms\u007f'],
    ['a javascript: URL', 'javascript:alert(document.cookie)'],
    ['an upper-case JavaScript: URL', 'JavaScript:alert(1)'],
    ['a data: URL', 'data:text/html,<script>alert(1)</script>'],
    ['a vbscript: URL', 'vbscript:msgbox(1)'],
    ['a native-app scheme', 'visio://auth/done'],
    ['a user name', 'https://user@app.example.com/'],
    ['a user name and password', 'https://user:pass@app.example.com/'],
    ['an allowed host as user-info', 'https://app.example.com@evil.example/'],
    ['a foreign origin', 'https://evil.example/'],
    ['a sibling subdomain', 'https://evil.app.example.com/'],
    ['a look-alike host', 'https://app.example.com.evil.example/'],
    ['another scheme on the allowed host', 'http://app.example.com/'],
    ['another port on the allowed host', 'https://app.example.com:8443/'],
    ['a relative path without a slash', 'rooms/abc'],
    ['a bare host', 'evil.example'],
  ])('refuses %s', (_, raw) => {
    expect(() => returnTo(raw)).toThrow(InvalidRequest);
  });

  test('accepts a value of 2048 characters', () => {
    const path = `/${'a'.repeat(2047)}`;
    expect(returnTo(path)).toBe(path);
  });

  test('refuses a value over 2048 characters', () => {
    expect(() => returnTo(`/${'a'.repeat(2048)}`)).toThrow(new InvalidRequest('returnTo is too long'));
  });

  test('refuses a value that encoding lengthens beyond 2048 characters', () => {
    expect(() => returnTo(`/${'\u0100'.repeat(400)}`)).toThrow(new InvalidRequest('returnTo is too long'));
  });

  test('refuses every absolute URL when no origin is allowed', () => {
    expect(() => webReturnTo('https://app.example.com/', { returnToOrigins: [] })).toThrow(InvalidRequest);
    expect(webReturnTo('/rooms', { returnToOrigins: [] })).toBe('/rooms');
  });
});

describe('loginReturnTo', () => {
  const login = (raw: string | undefined) => loginReturnTo(raw, { ...config, nativeAppRedirectSchemes: ['visio', 'com.example.app'] });

  test.each([
    [undefined, '/'],
    ['', '/'],
    ['/rooms/abc', '/rooms/abc'],
    ['https://app.example.com/rooms', 'https://app.example.com/rooms'],
    ['HTTP://127.0.0.1:8787/x', 'http://127.0.0.1:8787/x'],
  ])('treats %p as a web return address', (raw, location) => {
    expect(login(raw)).toEqual({ kind: 'web', location });
  });

  test.each([
    ['visio://auth/done', 'visio://auth/done'],
    ['visio://auth/done?room=abc', 'visio://auth/done?room=abc'],
    ['VISIO://auth/done', 'visio://auth/done'],
    ['com.example.app:/oauth', 'com.example.app:/oauth'],
    ['visio://auth/d\u00e9j\u00e0?salle=\u00e9t\u00e9', 'visio://auth/d%C3%A9j%C3%A0?salle=%C3%A9t%C3%A9'],
    ['visio://h\u00f4te/x', 'visio://h%C3%B4te/x'],
  ])('treats %s on an allowed scheme as a native redirect', (raw, location) => {
    expect(login(raw)).toEqual({ kind: 'native', location });
  });

  test.each([
    ['a foreign web origin', 'https://evil.example/'],
    ['a protocol-relative URL', '//evil.example/'],
    ['a scheme not in the list', 'otherapp://auth/done'],
    ['a scheme that only starts like an allowed one', 'visiox://auth/done'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['file:', 'file:///etc/passwd'],
    ['a native redirect with user information', 'visio://user:pass@auth/done'],
    ['a native redirect with a fragment', 'visio://auth/done#code=stolen'],
    ['a native redirect with a space', 'visio://auth/done?x=a b'],
    ['a native redirect with a newline', 'visio://auth/done\nx'],
    ['a native redirect with a backslash', 'visio://auth\\done'],
    ['a native redirect that is not a valid URI', 'visio://[bad/'],
    ['a native redirect with a lone surrogate', 'visio://auth/\ud800'],
    ['a native redirect over 2048 characters', `visio://auth/${'a'.repeat(2048)}`],
  ])('refuses %s', (_, raw) => {
    expect(() => login(raw)).toThrow(InvalidRequest);
  });

  test('refuses every native redirect when no scheme is allowed', () => {
    expect(() => loginReturnTo('visio://auth/done', { ...config, nativeAppRedirectSchemes: [] })).toThrow(InvalidRequest);
  });
});

describe('every returnTo (property-based)', () => {
  const nativeAppRedirectSchemes = ['visio', 'com.example.app'];
  const start = fc.constantFrom(
    '',
    '/',
    '//',
    '/.',
    '/..',
    'https://app.example.com',
    'http://127.0.0.1:8787/',
    'https://evil.example/',
    'visio://',
    'VISIO:',
    'com.example.app:/',
    'javascript:',
  );
  const tricky = fc.constantFrom(
    '/',
    '.',
    '..',
    '%',
    '%2e',
    '%2F',
    '%C4%80',
    '\\',
    '?',
    '#',
    '@',
    ':',
    '\u0100',
    '\u00ff',
    '\u2028',
    '\u202e',
    '\ud800',
    '\udc00',
    '\ud83d\ude00',
  );
  const candidate = fc
    .tuple(start, fc.array(fc.oneof(fc.string({ unit: 'binary' }), tricky), { maxLength: 8 }))
    .map(([prefix, parts]) => prefix + parts.join(''));
  const handcrafted = [
    '/\u0100',
    '/%C4%80',
    '/\u00ff',
    '/\u2028',
    '\ud800',
    '/\ud800',
    '/%',
    '/%zz',
    '/\u00e9?\u00e9#\u00e9',
    'visio://auth/\u00e9',
  ];

  /** A 400 invalid_request, or a location that can be written into a header as is and stays where it may. */
  function expectSafe(location: () => string, allowed: (url: URL) => boolean): void {
    let value: string;
    try {
      value = location();
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidRequest);
      expect((error as HttpError).status).toBe(400);
      return;
    }
    expect(() => validateHeaderValue('location', value)).not.toThrow();
    expect(value).toMatch(/^[\x21-\x7e]+$/);
    if (value.startsWith('/')) {
      expect(value).not.toMatch(/^\/\//);
    } else {
      expect(allowed(new URL(value))).toBe(true);
    }
  }

  const onAllowedOrigin = (url: URL) => config.returnToOrigins.includes(url.origin);
  const onAllowedOriginOrScheme = (url: URL) => onAllowedOrigin(url) || nativeAppRedirectSchemes.includes(url.protocol.slice(0, -1));

  test('webReturnTo answers a header-safe location on an allowed origin, or a 400', () => {
    fc.assert(
      fc.property(candidate, (raw) => expectSafe(() => webReturnTo(raw, config), onAllowedOrigin)),
      { examples: handcrafted.map((raw) => [raw]), numRuns: 2000, seed: 20260513 },
    );
  });

  test('loginReturnTo answers a header-safe location on an allowed origin or scheme, or a 400', () => {
    fc.assert(
      fc.property(candidate, (raw) =>
        expectSafe(() => loginReturnTo(raw, { ...config, nativeAppRedirectSchemes }).location, onAllowedOriginOrScheme),
      ),
      { examples: handcrafted.map((raw) => [raw]), numRuns: 2000, seed: 20260513 },
    );
  });
});
