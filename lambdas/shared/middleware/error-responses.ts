import type middy from '@middy/core';
import { dependencyFailure } from '../dependencies';
import { HttpError } from '../errors';
import type { HttpEvent, HttpResult } from '../http';
import { jsonResponse } from '../http';
import { MetricName } from '../metric-names';
import { countMetric, logger } from '../observability';

/**
 * Renders every failure as the contract's error body. Typed errors keep their status and code; a failure of a
 * dependency (the IdP, DynamoDB, Secrets Manager) says what is unavailable, with 502, 503 or 504 and Retry-After,
 * and is counted by dependency; anything else is logged and becomes a 500 whose text reveals nothing internal.
 */
export function errorResponses(): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return {
    onError: (request) => {
      const { error } = request;
      if (error instanceof HttpError) {
        if (error.status >= 500) logger.error('request failed', { code: error.code, error });
        else logger.info('request refused', { status: error.status, code: error.code, reason: error.description });
        request.response = jsonResponse(error.status, { error: error.code, error_description: error.description }, { ...error.headers });
        return;
      }
      const failure = dependencyFailure(error);
      if (failure) {
        countMetric(MetricName.DependencyFailed, { dependency: failure.dependency, reason: failure.kind });
        logger.warn('dependency failed', { dependency: failure.dependency, reason: failure.kind, error: error as Error });
        const { answer } = failure;
        request.response = jsonResponse(
          answer.status,
          { error: answer.code, error_description: answer.description },
          { ...answer.headers },
        );
        return;
      }
      logger.error('unexpected failure', { error: error as Error });
      request.response = jsonResponse(500, { error: 'server_error', error_description: 'internal error' });
    },
  };
}
