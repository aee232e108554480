import { InvalidGrant, ServerError, Unauthenticated, UpstreamError } from '../../../../lambdas/shared/errors';
import type { HttpResult } from '../../../../lambdas/shared/http';
import { errorResponses } from '../../../../lambdas/shared/middleware/error-responses';
import { logger } from '../../../../lambdas/shared/observability';
import { httpEvent, middyRequest } from '../../../support/api-event';

/** Runs the middleware's `onError` for an error and returns the response it rendered. */
function render(error: Error): HttpResult {
  const request = middyRequest(httpEvent(), null, error);
  errorResponses().onError?.(request);
  if (!request.response) throw new Error('no response rendered');
  return request.response;
}

describe('errorResponses', () => {
  afterEach(() => jest.restoreAllMocks());

  test('renders a typed error with its status and the contract body', () => {
    const response = render(new InvalidGrant('the code is unknown or expired'));
    expect(response.statusCode).toBe(400);
    expect(response.headers).toEqual({ 'Content-Type': 'application/json; charset=utf-8' });
    expect(JSON.parse(response.body ?? '')).toEqual({ error: 'invalid_grant', error_description: 'the code is unknown or expired' });
  });

  test("keeps a typed error's own headers", () => {
    const response = render(new Unauthenticated('no session'));
    expect(response.statusCode).toBe(401);
    expect(response.headers).toMatchObject({ 'WWW-Authenticate': 'Bearer' });
    expect(JSON.parse(response.body ?? '')).toEqual({ error: 'unauthenticated', error_description: 'no session' });
  });

  test("does not share the error's header object with the response", () => {
    const error = new Unauthenticated('no session');
    const response = render(error);
    (response.headers as Record<string, string>)['X-Extra'] = '1';
    expect(error.headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
  });

  test('renders a typed 5xx with its code', () => {
    const response = render(new UpstreamError('the identity provider is unreachable'));
    expect(response.statusCode).toBe(502);
    expect(JSON.parse(response.body ?? '')).toEqual({
      error: 'server_error',
      error_description: 'the identity provider is unreachable',
    });
  });

  test('turns an unknown error into a 500 that does not reveal its message', () => {
    const response = render(new Error('connect ECONNREFUSED 10.0.0.7:8000 token=s3cr3t'));
    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body ?? '')).toEqual({ error: 'server_error', error_description: 'internal error' });
    expect(response.body).not.toContain('ECONNREFUSED');
    expect(response.body).not.toContain('s3cr3t');
  });

  test('logs an unknown error for the operator', () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const error = new TypeError('cannot read properties of undefined');
    render(error);
    expect(logged).toHaveBeenCalledWith('unexpected failure', { error });
  });

  test('logs a refused request at info level only', () => {
    const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    render(new InvalidGrant('wrong verifier'));
    expect(info).toHaveBeenCalledWith('request refused', { status: 400, code: 'invalid_grant', reason: 'wrong verifier' });
    expect(error).not.toHaveBeenCalled();
  });

  test('logs a typed server error as an error', () => {
    const logged = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
    const error = new ServerError('table missing');
    render(error);
    expect(logged).toHaveBeenCalledWith('request failed', { code: 'server_error', error });
  });
});
