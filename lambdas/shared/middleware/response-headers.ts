import type middy from '@middy/core';
import type { HttpEvent, HttpResult } from '../http';

/**
 * Adds headers to every response, the error ones included. Headers the handler set itself win, so a page
 * can carry its own Content-Security-Policy.
 */
export function responseHeaders(headers: Readonly<Record<string, string>>): middy.MiddlewareObj<HttpEvent, HttpResult> {
  const apply = (request: middy.Request<HttpEvent, HttpResult>): void => {
    if (!request.response) return;
    const existing = new Set(Object.keys(request.response.headers ?? {}).map((name) => name.toLowerCase()));
    const added = Object.fromEntries(Object.entries(headers).filter(([name]) => !existing.has(name.toLowerCase())));
    request.response.headers = { ...added, ...request.response.headers };
  };
  return { after: apply, onError: apply };
}

/** Defence in depth for an API that also serves redirects and small pages. */
export const SECURITY_HEADERS = {
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  // API Gateway adds CORS headers for allowed origins only: a cache must not serve one origin's answer to another.
  Vary: 'Origin',
} as const;
