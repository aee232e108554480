import type middy from '@middy/core';
import { AccessDenied } from '../errors';
import { type HttpEvent, type HttpResult, header } from '../http';

/** The header a page's script sends with a request that must not be made by a plain form or link. */
export const SCRIPTED_REQUEST_HEADER = 'x-requested-with';
export const SCRIPTED_REQUEST_VALUE = 'guichet';

/**
 * Refuses (403) any request but a script's from an allowed origin: an `Origin` in the list and
 * `X-Requested-With: guichet`. A page of another site can make a browser send its visitor's cookie with a form
 * post, and Origin alone can be absent on some same-origin requests; a custom header makes a cross-origin
 * browser ask first (CORS preflight), which only the listed origins pass. `onRefusal` counts the refusal.
 */
export function scriptedRequestsOnly(
  allowedOrigins: readonly string[],
  onRefusal: () => void = () => undefined,
): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: (request) => {
      const origin = header(request.event, 'origin');
      const fromScript = header(request.event, SCRIPTED_REQUEST_HEADER) === SCRIPTED_REQUEST_VALUE;
      if (origin !== undefined && allowedOrigins.includes(origin) && fromScript) return;
      onRefusal();
      throw new AccessDenied(
        origin === undefined || !allowedOrigins.includes(origin)
          ? "this endpoint answers scripts of guichet's own or a listed origin only"
          : `send the header X-Requested-With: ${SCRIPTED_REQUEST_VALUE}`,
      );
    },
  };
}
