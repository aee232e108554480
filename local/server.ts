import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { DEFAULT_TIMEOUT_SECONDS, type RouteDefinition } from '../lambdas/routes';
import { splitRequestTarget, toApiGatewayEvent, writeApiGatewayResult } from './api-gateway-event';
import { handOverNativeRedirect } from './playground/native-app';
import { servePlayground } from './playground/playground';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/** API Gateway's own payload limit is 10 MB; locally 1 MB is plenty and keeps a runaway client cheap. */
const MAX_BODY_BYTES = 1024 * 1024;
const REPOSITORY_ROOT = path.resolve(__dirname, '..');

/**
 * The local stand-in for API Gateway: it routes by the same route table as the stack, turns each request
 * into a payload 2.0 event and calls the route's real handler, loaded on first use.
 */
export function createLocalServer(routes: readonly RouteDefinition[]): Server {
  const byRouteKey = new Map(routes.map((route) => [`${route.method} ${route.path}`, route]));
  const handlers = new Map<string, Promise<Handler>>();
  const loadHandler = (route: RouteDefinition): Promise<Handler> => {
    let handler = handlers.get(route.id);
    if (!handler) {
      handler = import(path.join(REPOSITORY_ROOT, route.entry)).then((module: { handler: Handler }) => module.handler);
      handlers.set(route.id, handler);
    }
    return handler;
  };

  return createServer((request, response) => {
    const route = byRouteKey.get(`${request.method} ${splitRequestTarget(request.url).rawPath}`);
    if (!route) {
      // The local playground (`/`, `/playground/*`) lives outside the route table: it is never deployed.
      if (servePlayground(request, response)) return;
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
      return;
    }
    readBody(request)
      .then(async (body) => {
        if (body === undefined) {
          response.writeHead(413, { 'content-type': 'application/json' }).end('{"message":"Request Entity Too Large"}');
          return;
        }
        const event = toApiGatewayEvent(request, body, `${route.method} ${route.path}`);
        const handler = await loadHandler(route);
        const result = await withTimeout(handler(event, lambdaContext(route)), route);
        // Lets the playground's simulated native app receive its custom-scheme redirect; others pass as is.
        writeApiGatewayResult(response, handOverNativeRedirect(result));
      })
      .catch((error: unknown) => {
        // What API Gateway answers when the integration fails; the error stays in the server's console.
        process.stderr.write(`[guichet local] ${route.id} failed: ${(error as Error).stack ?? String(error)}\n`);
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
        response.end('{"message":"Internal Server Error"}');
      });
  });
}

function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

function timeoutMillis(route: RouteDefinition): number {
  return (route.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
}

function lambdaContext(route: RouteDefinition): Context {
  const deadline = Date.now() + timeoutMillis(route);
  const functionName = `guichet-local-${route.id}`;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function withTimeout<T>(work: Promise<T>, route: RouteDefinition): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMillis(route)} ms`)), timeoutMillis(route));
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
