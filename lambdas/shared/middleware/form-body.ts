import type middy from '@middy/core';
import { InvalidRequest } from '../errors';
import type { HttpEvent, HttpResult } from '../http';
import { DEFAULT_MAX_BODY_BYTES, textBody } from './raw-body';

export type FormEvent = HttpEvent & { form: ReadonlyMap<string, string> };

/**
 * Parses an `application/x-www-form-urlencoded` body into `event.form`. A repeated field is refused
 * (RFC 6749 §3.1: parameters must not be included more than once). With `required: false` an empty body
 * gives an empty form.
 */
export function formBody(
  options: { readonly required?: boolean; readonly maxBytes?: number } = {},
): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: (request) => {
      const text = textBody(request.event, 'application/x-www-form-urlencoded', options.maxBytes ?? DEFAULT_MAX_BODY_BYTES);
      if (text === undefined && options.required !== false) throw new InvalidRequest('a form body is required');
      const form = new Map<string, string>();
      for (const [name, value] of new URLSearchParams(text ?? '')) {
        if (form.has(name)) throw new InvalidRequest(`parameter ${name} must not be repeated`);
        form.set(name, value);
      }
      (request.event as FormEvent).form = form;
    },
  };
}
