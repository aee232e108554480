import type middy from '@middy/core';
import { InvalidRequest } from '../errors';
import type { HttpEvent, HttpResult } from '../http';
import { DEFAULT_MAX_BODY_BYTES, textBody } from './raw-body';

export type JsonEvent = HttpEvent & { jsonBody: Readonly<Record<string, unknown>> };

/**
 * Parses an `application/json` object body into `event.jsonBody`; anything else is a 4xx. With
 * `required: false` an empty body gives an empty object.
 */
export function jsonBody(
  options: { readonly required?: boolean; readonly maxBytes?: number } = {},
): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: (request) => {
      const text = textBody(request.event, 'application/json', options.maxBytes ?? DEFAULT_MAX_BODY_BYTES);
      if (text === undefined) {
        if (options.required !== false) throw new InvalidRequest('a JSON body is required');
        (request.event as JsonEvent).jsonBody = {};
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        throw new InvalidRequest('the body is not valid JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        throw new InvalidRequest('the JSON body must be an object');
      }
      (request.event as JsonEvent).jsonBody = parsed as Record<string, unknown>;
    },
  };
}
