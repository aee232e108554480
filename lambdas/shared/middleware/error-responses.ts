import type middy from '@middy/core';
import { HttpError } from '../errors';
import type { HttpEvent, HttpResult } from '../http';
import { jsonResponse } from '../http';
import { logger } from '../observability';

/**
 * Renders every failure as the contract's error body. Typed errors keep their status and code; anything
 * else is logged and becomes a 500 whose text reveals nothing internal.
 */
export function errorResponses(): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      const { error } = request;
      if (error instanceof HttpError) {
        if (error.status >= 500) logger.error('request failed', { code: error.code, error });
        else logger.info('request refused', { status: error.status, code: error.code, reason: error.description });
        request.response = jsonResponse(
          error.status,
          { error: error.code, error_description: error.description },
          { ...error.headers },
        );
        return;
      }
      logger.error('unexpected failure', { error: error as Error });
      request.response = jsonResponse(500, { error: 'server_error', error_description: 'internal error' });
    },
  };
}
