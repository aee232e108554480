import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '../http';
import { errorResponses } from './error-responses';
import { formBody, type FormEvent } from './form-body';
import { formOrJsonBody } from './form-or-json-body';
import { jsonBody, type JsonEvent } from './json-body';
import { withMiddleware, type Middleware } from './middleware';
import { requestContext } from './request-context';
import { noStore } from './no-store';
import { responseHeaders, SECURITY_HEADERS } from './response-headers';
import { tracingMiddleware } from '../tracing';

type Body = 'none' | 'json' | 'optional-json' | 'form' | 'optional-form' | 'optional-form-or-json';
type EventFor<B extends Body> = B extends 'json' | 'optional-json' ? JsonEvent : B extends 'none' ? HttpEvent : FormEvent;

const BODY_PARSERS: Record<Body, Middleware | undefined> = {
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
  guards: readonly Middleware[] = [],
): (event: HttpEvent, context: Context) => Promise<HttpResult> {
  const parser = BODY_PARSERS[body];
  const chain = [requestContext(), tracingMiddleware(), responseHeaders(SECURITY_HEADERS), noStore(), errorResponses(), ...guards, ...(parser ? [parser] : [])];
  // The parser in the chain has attached the parsed body the event type promises.
  return withMiddleware(chain, (event, context) => handle(event as EventFor<B>, context));
}
