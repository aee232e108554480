import { InvalidRequest } from '../../../lambdas/shared/errors';
import { header, jsonResponse, queryParameter, redirectResponse } from '../../../lambdas/shared/http';
import { httpEvent } from '../../support/api-event';

describe('jsonResponse', () => {
  test('serializes the body as JSON with its content type', () => {
    const result = jsonResponse(201, { user: { sub: 'u1' }, expires_at: 10 });
    expect(result.statusCode).toBe(201);
    expect(result.headers).toEqual({ 'Content-Type': 'application/json; charset=utf-8' });
    expect(JSON.parse(result.body ?? '')).toEqual({ user: { sub: 'u1' }, expires_at: 10 });
  });

  test('adds the given headers', () => {
    expect(jsonResponse(429, {}, { 'Retry-After': '30' }).headers).toEqual({
      'Content-Type': 'application/json; charset=utf-8',
      'Retry-After': '30',
    });
  });
});

describe('redirectResponse', () => {
  test('is a 302 to the location with an empty body', () => {
    expect(redirectResponse('https://idp.example.com/authorize?x=1')).toEqual({
      statusCode: 302,
      headers: { Location: 'https://idp.example.com/authorize?x=1' },
      cookies: [],
      body: '',
    });
  });

  test('carries the cookies to set', () => {
    expect(redirectResponse('/', ['a=1; Path=/', 'b=2; Path=/']).cookies).toEqual(['a=1; Path=/', 'b=2; Path=/']);
  });
});

describe('header', () => {
  const event = httpEvent({ headers: { 'Content-Type': 'application/json', 'x-csrftoken': 'abc' } });

  test('finds a header whatever the case of its name', () => {
    expect(header(event, 'content-type')).toBe('application/json');
    expect(header(event, 'X-CSRFToken')).toBe('abc');
  });

  test('is undefined for an absent header', () => {
    expect(header(event, 'authorization')).toBeUndefined();
  });
});

describe('queryParameter', () => {
  const query = (rawQueryString: string) => httpEvent({ query: rawQueryString });

  test('decodes a single parameter', () => {
    expect(queryParameter(query('returnTo=%2Frooms%2Fa%20b&x=1'), 'returnTo')).toBe('/rooms/a b');
  });

  test('is undefined for an absent parameter', () => {
    expect(queryParameter(query('x=1'), 'returnTo')).toBeUndefined();
    expect(queryParameter(query(''), 'returnTo')).toBeUndefined();
  });

  test('gives an empty string for a parameter without a value', () => {
    expect(queryParameter(query('state=&x=1'), 'state')).toBe('');
  });

  test('refuses a repeated parameter, read from the raw query string', () => {
    // API Gateway joins repeats with commas in queryStringParameters: only the raw string shows the repeat.
    const event = { ...query('returnTo=%2Fa&returnTo=%2Fb'), queryStringParameters: { returnTo: '/a,/b' } };
    expect(() => queryParameter(event, 'returnTo')).toThrow(InvalidRequest);
    expect(() => queryParameter(event, 'returnTo')).toThrow('parameter returnTo must not be repeated');
  });

  test('ignores repeats of other parameters', () => {
    expect(queryParameter(query('x=1&x=2&state=s'), 'state')).toBe('s');
  });
});
