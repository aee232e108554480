import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type middy from '@middy/core';
import type { HttpEvent, HttpResult } from './http';
import { SERVICE_NAME } from './metric-names';

/**
 * Tracing, kept behind this one module so that a move to OpenTelemetry touches nothing else. AWS X-Ray
 * through Powertools Tracer; inactive outside Lambda (local mode, tests).
 */
const tracer = new Tracer({ serviceName: SERVICE_NAME });

/** A segment per invocation. Responses and errors are not attached: they carry tokens and codes. */
export function tracingMiddleware(): middy.MiddlewareObj<HttpEvent, HttpResult> {
  return captureLambdaHandler(tracer, { captureResponse: false });
}

/** An AWS SDK v3 client whose calls appear as subsegments. */
export function traced<T>(client: T): T {
  return tracer.captureAWSv3Client(client);
}
