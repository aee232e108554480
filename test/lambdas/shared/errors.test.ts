import {
  AccessDenied,
  HttpError,
  InvalidGrant,
  InvalidRequest,
  MethodNotAllowed,
  NotFound,
  PayloadTooLarge,
  ServerError,
  TooManyRequests,
  Unauthenticated,
  UnsupportedMediaType,
  UpstreamError,
} from '../../../lambdas/shared/errors';

describe('HTTP errors', () => {
  test.each([
    [InvalidRequest, 400, 'invalid_request'],
    [InvalidGrant, 400, 'invalid_grant'],
    [Unauthenticated, 401, 'unauthenticated'],
    [AccessDenied, 403, 'access_denied'],
    [NotFound, 404, 'not_found'],
    [MethodNotAllowed, 405, 'method_not_allowed'],
    [PayloadTooLarge, 413, 'payload_too_large'],
    [UnsupportedMediaType, 415, 'unsupported_media_type'],
    [ServerError, 500, 'server_error'],
    [UpstreamError, 502, 'server_error'],
  ])('%p answers %i %s', (ErrorClass, status, code) => {
    const error = new ErrorClass('what went wrong');
    expect(error).toBeInstanceOf(HttpError);
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(status);
    expect(error.code).toBe(code);
    expect(error.description).toBe('what went wrong');
    expect(error.message).toBe('what went wrong');
    expect(error.name).toBe(ErrorClass.name);
  });

  test('a 401 asks for a Bearer credential', () => {
    expect(new Unauthenticated('no session').headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  test('a 429 is slow_down and says how long to wait', () => {
    const error = new TooManyRequests('too many failed exchanges', 42);
    expect(error).toBeInstanceOf(HttpError);
    expect(error.status).toBe(429);
    expect(error.code).toBe('slow_down');
    expect(error.description).toBe('too many failed exchanges');
    expect(error.headers).toEqual({ 'Retry-After': '42' });
  });

  test.each([0, -5])('a 429 never asks to wait less than a second (%i)', (seconds) => {
    expect(new TooManyRequests('slow down', seconds).headers).toEqual({ 'Retry-After': '1' });
  });

  test('other errors carry no extra header', () => {
    expect(new InvalidGrant('bad code').headers).toEqual({});
  });
});
