import type middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaContext } from '../../harness/api-events';

export { type HttpEventInit, httpEvent, lambdaContext, postEvent } from '../../harness/api-events';

/** The request object middy hands to a middleware, for testing one middleware on its own. */
export function middyRequest(
  event: APIGatewayProxyEventV2,
  response: APIGatewayProxyStructuredResultV2 | null = null,
  error: Error | null = null,
): middy.Request<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return { event, context: lambdaContext, response, error, internal: {} };
}
