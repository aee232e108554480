import type { Context } from 'aws-lambda';
import type { HttpEvent, HttpResult } from '../http';

/** One invocation as it goes through the middleware: what each step reads and may set. */
export interface MiddlewareRequest {
  readonly event: HttpEvent;
  readonly context: Context;
  response?: HttpResult;
  error?: unknown;
}

/** A step of every request: `before` runs in the order of the chain, `after` and `onError` in reverse. */
export interface Middleware {
  readonly before?: (request: MiddlewareRequest) => void;
  readonly after?: (request: MiddlewareRequest) => void;
  readonly onError?: (request: MiddlewareRequest) => void;
}

/**
 * A handler inside its middleware. A failure of the handler or of a step goes through every `onError`, which may
 * answer it by setting the response; unanswered, it reaches the runtime. (In place of @middy/core, whose version
 * for Node.js 20 reached its end of life on 2026-04-30, and whose chain cost each request a timer.)
 */
export function withMiddleware(
  chain: readonly Middleware[],
  handle: (event: HttpEvent, context: Context) => Promise<HttpResult>,
): (event: HttpEvent, context: Context) => Promise<HttpResult> {
  const reversed = [...chain].reverse();
  return async (event, context) => {
    const request: MiddlewareRequest = { event, context };
    try {
      for (const step of chain) step.before?.(request);
      request.response = await handle(event, context);
      for (const step of reversed) step.after?.(request);
    } catch (error) {
      request.response = undefined;
      request.error = error;
      for (const step of reversed) step.onError?.(request);
      if (!request.response) throw error;
    }
    return request.response;
  };
}
