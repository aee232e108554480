import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

export interface EventInit {
  readonly method?: string;
  readonly path: string;
  readonly query?: string;
  readonly headers?: Record<string, string>;
  readonly cookies?: string[];
  readonly body?: string;
}

/** An API Gateway HTTP API (payload 2.0) event as the deployed API would hand it to a handler. */
export function apiEvent(init: EventInit): APIGatewayProxyEventV2 {
  const method = init.method ?? 'GET';
  const query = init.query ?? '';
  return {
    version: '2.0',
    routeKey: `${method} ${init.path}`,
    rawPath: init.path,
    rawQueryString: query,
    cookies: init.cookies,
    headers: { host: 'guichet.test', ...init.headers },
    queryStringParameters: query ? Object.fromEntries(new URLSearchParams(query)) : undefined,
    requestContext: {
      accountId: 'test',
      apiId: 'test',
      domainName: 'guichet.test',
      domainPrefix: 'guichet',
      http: { method, path: init.path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.10', userAgent: 'jest' },
      requestId: 'test-request',
      routeKey: `${method} ${init.path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    body: init.body,
    isBase64Encoded: false,
  };
}

export const lambdaContext = {
  awsRequestId: 'test-invocation',
  functionName: 'guichet-test',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;
