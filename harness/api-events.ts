import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface HttpEventInit {
  readonly method?: string;
  readonly path?: string;
  /** The raw query string, without `?`. */
  readonly query?: string;
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

/** A hand-made API Gateway HTTP API (payload format 2.0) event, fixed in time and request id. */
export function httpEvent(init: HttpEventInit = {}): APIGatewayProxyEventV2 {
  const method = init.method ?? 'GET';
  const path = init.path ?? '/test';
  const query = init.query ?? '';
  const routeKey = `${method} ${path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: query,
    cookies: init.cookies,
    headers: { host: 'guichet.test', ...init.headers },
    queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
    requestContext: {
      accountId: '123456789012',
      apiId: 'api',
      domainName: 'guichet.test',
      domainPrefix: 'guichet',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'jest' },
      requestId: 'request-1',
      routeKey,
      stage: '$default',
      time: '01/Jan/2030:00:00:00 +0000',
      timeEpoch: 1893456000000,
    },
    body: init.body,
    isBase64Encoded: init.isBase64Encoded ?? false,
  };
}

/** A POST event with a body of the given media type. */
export function postEvent(contentType: string, body: string, init: HttpEventInit = {}): APIGatewayProxyEventV2 {
  return httpEvent({ method: 'POST', ...init, headers: { 'content-type': contentType, ...init.headers }, body });
}

export const lambdaContext = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'guichet-test',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:guichet-test',
  memoryLimitInMB: '256',
  awsRequestId: 'invocation-1',
  logGroupName: '/aws/lambda/guichet-test',
  logStreamName: 'stream',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
} satisfies Context;
