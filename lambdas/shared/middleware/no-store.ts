import type middy from '@middy/core';
import type { HttpEvent, HttpResult } from '../http';

/**
 * Marks every response, errors included, as not to be stored by a browser or a proxy: they carry or
 * reveal secrets. A response that chose its own Cache-Control (the public JWKS) keeps it.
 */
export function noStore(): middy.MiddlewareObj<HttpEvent, HttpResult> {
  const apply = (request: middy.Request<HttpEvent, HttpResult>): void => {
    const response = request.response;
    if (!response) return;
    const headers = response.headers ?? {};
    if (Object.keys(headers).some((name) => name.toLowerCase() === 'cache-control')) return;
    response.headers = { ...headers, 'Cache-Control': 'no-store', Pragma: 'no-cache' };
  };
  return { after: apply, onError: apply };
}
