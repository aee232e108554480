import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '../http';
import { tracingMiddleware } from '../tracing';
import { errorResponses } from './error-responses';
import { type FormEvent, formBody } from './form-body';
import { formOrJsonBody } from './form-or-json-body';
import { type JsonEvent, jsonBody } from './json-body';
import { noStore } from './no-store';
import { requestContext } from './request-context';
import { responseHeaders, SECURITY_HEADERS } from './response-headers';

type Body = 'none' | 'json' | 'optional-json' | 'form' | 'optional-form' | 'optional-form-or-json';
type EventFor<B extends Body> = B extends 'json' | 'optional-json' ? JsonEvent : B extends 'none' ? HttpEvent : FormEvent;

const BODY_PARSERS: Record<Body, middy.MiddlewareObj<HttpEvent, HttpResult> | undefined> = {
  none: undefined,
  json: jsonBody({ required: true }),
  'optional-json': jsonBody({ required: false }),
  form: formBody({ required: true }),
  'optional-form': formBody({ required: false }),
  'optional-form-or-json': formOrJsonBody(),
};

/**
 * Wraps a route's function in the middleware every guichet endpoint shares: request context for the logs,
 * the timing of its calls to AWS and the IdP, security and no-store headers, the contract's error body, the
 * route's own `guards` (checked before the body is read), and parsing of the body it expects.
 */
export function httpHandler<B extends Body>(
  body: B,
  handle: (event: EventFor<B>, context: Context) => Promise<HttpResult>,
  guards: readonly middy.MiddlewareObj<HttpEvent, HttpResult>[] = [],
): middy.MiddyfiedHandler<HttpEvent, HttpResult> {
  // No early-timeout timer per request: every call to a dependency has its own timeout, well within the function's.
  const handler = middy<HttpEvent, HttpResult>({ timeoutEarlyInMillis: 0 })
    .use(requestContext())
    .use(tracingMiddleware())
    .use(responseHeaders(SECURITY_HEADERS))
    .use(noStore())
    .use(errorResponses());
  for (const guard of guards) handler.use(guard);
  const parser = BODY_PARSERS[body];
  if (parser) handler.use(parser);
  // The parser above has attached the parsed body the event type promises.
  return handler.handler((event, context) => handle(event as EventFor<B>, context));
}
