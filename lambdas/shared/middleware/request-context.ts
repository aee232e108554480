import type middy from '@middy/core';
import type { HttpEvent, HttpResult } from '../http';
import { logger } from '../observability';

/**
 * Tags every log line of the invocation with the API Gateway request id, which is also in the access
 * log, so one request can be followed from the edge to the handler.
 */
export function requestContext(): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    before: (request) => {
      logger.addContext(request.context);
      logger.setCorrelationId(request.event.requestContext?.requestId);
      logger.appendKeys({ route: request.event.routeKey });
    },
    after: () => logger.resetKeys(),
    onError: () => logger.resetKeys(),
  };
}
