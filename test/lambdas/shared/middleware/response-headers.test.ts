import type { HttpResult } from '../../../../lambdas/shared/http';
import { responseHeaders, SECURITY_HEADERS } from '../../../../lambdas/shared/middleware/response-headers';
import { httpEvent, middyRequest } from '../../../support/api-event';

const ADDED = { 'Cache-Control': 'no-store', 'X-Frame-Options': 'DENY' };

function run(phase: 'after' | 'onError', response: HttpResult | null) {
  const request = middyRequest(httpEvent(), response, phase === 'onError' ? new Error('failed') : null);
  responseHeaders(ADDED)[phase]?.(request);
  return request.response;
}

describe('responseHeaders', () => {
  test('adds the headers to a successful response', () => {
    expect(run('after', { statusCode: 200, headers: { 'Content-Type': 'text/html' }, body: '' })?.headers).toEqual({
      'Content-Type': 'text/html',
      'Cache-Control': 'no-store',
      'X-Frame-Options': 'DENY',
    });
  });

  test('adds the headers to an error response', () => {
    expect(run('onError', { statusCode: 500, body: '{}' })?.headers).toEqual(ADDED);
  });

  test('lets headers set by the handler win, whatever their case', () => {
    expect(run('after', { statusCode: 200, headers: { 'cache-control': 'max-age=60' } })?.headers).toEqual({
      'cache-control': 'max-age=60',
      'X-Frame-Options': 'DENY',
    });
  });

  test('keeps the rest of the response', () => {
    const response = run('after', { statusCode: 302, headers: { Location: '/' }, cookies: ['a=1'], body: '' });
    expect(response).toMatchObject({ statusCode: 302, cookies: ['a=1'], body: '', headers: { Location: '/' } });
  });

  test('leaves a missing response alone', () => {
    expect(run('onError', null)).toBeNull();
  });

  test('forbids framing and sniffing', () => {
    expect(SECURITY_HEADERS).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Content-Security-Policy': expect.stringContaining("frame-ancestors 'none'"),
    });
  });
});
