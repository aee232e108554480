import type middy from '@middy/core';
import { AccessDenied } from '../errors';
import { type HttpEvent, type HttpResult, header } from '../http';

/**
 * Refuses at once, before any budget is spent or any state is touched, a request that a browser sent from a page
 * of another origin than guichet's own or one listed in CORS_ORIGINS: a form post or a no-cors fetch from any
 * site carries its `Origin`, and must not spend the rate-limit budget of the victim's address (a whole office
 * behind one NAT address). Requests without `Origin` (native apps, servers, the IdP) pass. A page whose referrer
 * policy is `no-referrer` (guichet's own pages) posts its forms with `Origin: null`, even to its own origin (Fetch
 * standard): that passes only when the browser's `Sec-Fetch-Site` (which no page can set) says `same-origin`.
 */
export function knownOriginsOnly(allowed: readonly string[]): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return originGuard(allowed, false, 'this endpoint does not answer pages of that origin');
}

/**
 * Stricter, for what only a page of a listed origin may start (an add-in's login, bound to its origin): a request
 * without `Origin` (a script, a server), or with `Origin: null` (guichet's own pages among others), is refused too.
 */
export function listedOriginOnly(listed: readonly string[]): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return originGuard(listed, true, 'only a page of an origin listed in CORS_ORIGINS may start this');
}

function originGuard(allowed: readonly string[], strict: boolean, refusal: string): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: (request) => {
      const origin = header(request.event, 'origin');
      if (origin === undefined) {
        if (strict) throw new AccessDenied(refusal);
        return;
      }
      if (allowed.includes(origin)) return;
      if (!strict && origin === 'null' && header(request.event, 'sec-fetch-site') === 'same-origin') return;
      throw new AccessDenied(refusal);
    },
  };
}
