import type middy from '@middy/core';
import { InvalidRequest } from '../errors';
import { type HttpEvent, type HttpResult, header } from '../http';
import { type FormEvent, formBody } from './form-body';
import { type JsonEvent, jsonBody } from './json-body';

/**
 * Parameters from an optional body that is either a form or a JSON object of strings, into `event.form`: a
 * browser's `fetch` sends the one its code finds easier. JSON values that are not strings are refused.
 */
export function formOrJsonBody(options: { readonly maxBytes?: number } = {}): middy.MiddlewareObj<HttpEvent, HttpResult> {
  const form = formBody({ required: false, ...options });
  const json = jsonBody({ required: false, ...options });
  return {
    before: (request) => {
      const mediaType = header(request.event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
      if (mediaType !== 'application/json') return form.before!(request);
      json.before!(request);
      const parameters = new Map<string, string>();
      for (const [name, value] of Object.entries((request.event as JsonEvent).jsonBody)) {
        if (typeof value !== 'string') throw new InvalidRequest(`${name} must be a string`);
        parameters.set(name, value);
      }
      (request.event as FormEvent).form = parameters;
    },
  };
}
