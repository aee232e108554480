import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import { splitRequestTarget, toApiGatewayEvent, writeApiGatewayResult } from './api-gateway-event';
import type { IntrinsicResolver } from './intrinsics';
import { LocalJwtAuthorizer } from './jwt-authorizer';
import type { Invocation } from './lambda/local-function';
import { resourcesOfType, type StackTemplate } from './stack-template';

/**
 * The template's HTTP API (`AWS::ApiGatewayV2::Api`, its routes, Lambda integrations in payload format 2.0 and
 * `$default` stage), served as API Gateway serves it: exact route keys, JWT authorizers (401, 403), stage throttling per route (429), the
 * API's CORS configuration (preflights answered by the gateway itself, CORS headers added to answers of allowed
 * origins, the integration's own CORS headers dropped), a 30 s integration timeout (503), and API Gateway's
 * own bodies for what is not the function's answer.
 */
export interface CorsConfiguration {
  readonly AllowOrigins?: readonly string[];
  readonly AllowCredentials?: boolean;
  readonly AllowMethods?: readonly string[];
  readonly AllowHeaders?: readonly string[];
  readonly ExposeHeaders?: readonly string[];
  readonly MaxAge?: number;
}

export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface HttpApiRoute {
  readonly routeKey: string;
  /** The ARN of the Lambda function the integration invokes. */
  readonly functionArn: string;
  readonly throttle?: Throttle;
  /** A JWT authorizer's check, and the scopes the route requires of a token. */
  readonly authorization?: { readonly authorizer: LocalJwtAuthorizer; readonly scopes: readonly string[] };
}

export interface HttpApiDefinition {
  readonly routes: ReadonlyMap<string, HttpApiRoute>;
  readonly cors?: CorsConfiguration;
}

/** API Gateway's integration timeout for HTTP APIs. */
const INTEGRATION_TIMEOUT_MS = 30_000;
/** HTTP APIs accept payloads up to 10 MB. */
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** Reads the API of the template: its routes with their function and throttling, and its CORS configuration. */
export function httpApiOf(template: StackTemplate, resolver: IntrinsicResolver): HttpApiDefinition {
  const apis = resourcesOfType(template, 'AWS::ApiGatewayV2::Api');
  if (apis.length !== 1) throw new Error(`the template holds ${apis.length} HTTP APIs, local mode runs exactly one`);
  const cors = apis[0][1].Properties?.CorsConfiguration as CorsConfiguration | undefined;

  const stages = resourcesOfType(template, 'AWS::ApiGatewayV2::Stage');
  const stage = (stages[0]?.[1].Properties ?? {}) as {
    DefaultRouteSettings?: { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number };
    RouteSettings?: Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }>;
  };
  const throttleOf = (settings?: { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }): Throttle | undefined =>
    settings?.ThrottlingRateLimit === undefined
      ? undefined
      : { rateLimit: settings.ThrottlingRateLimit, burstLimit: settings.ThrottlingBurstLimit ?? settings.ThrottlingRateLimit };

  const integrations = new Map(resourcesOfType(template, 'AWS::ApiGatewayV2::Integration'));
  const authorizers = jwtAuthorizersOf(template, resolver);
  const routes = new Map<string, HttpApiRoute>();
  for (const [logicalId, route] of resourcesOfType(template, 'AWS::ApiGatewayV2::Route')) {
    const {
      RouteKey: routeKey,
      Target: target,
      AuthorizationType: authorizationType,
      AuthorizerId: authorizerId,
      AuthorizationScopes: scopes,
    } = route.Properties as {
      RouteKey: string;
      Target: unknown;
      AuthorizationType?: string;
      AuthorizerId?: { Ref: string };
      AuthorizationScopes?: string[];
    };
    const integrationId = (target as { 'Fn::Join': [string, [string, { Ref: string }]] })['Fn::Join'][1][1].Ref;
    const integration = integrations.get(integrationId)?.Properties as {
      IntegrationType: string;
      PayloadFormatVersion: string;
      IntegrationUri: unknown;
    };
    if (integration?.IntegrationType !== 'AWS_PROXY' || integration.PayloadFormatVersion !== '2.0') {
      throw new Error(`route ${routeKey}: local mode runs Lambda proxy integrations of payload format 2.0 only`);
    }
    if (authorizationType !== undefined && authorizationType !== 'NONE' && authorizationType !== 'JWT') {
      throw new Error(`route ${routeKey}: local mode runs JWT authorizers only, not ${authorizationType}`);
    }
    const authorizer = authorizationType === 'JWT' ? authorizers.get(authorizerId?.Ref ?? '') : undefined;
    if (authorizationType === 'JWT' && !authorizer) throw new Error(`route ${routeKey}: its JWT authorizer is not in the template`);
    routes.set(routeKey, {
      routeKey,
      functionArn: resolver.resolveString(integration.IntegrationUri, logicalId),
      throttle: throttleOf(stage.RouteSettings?.[routeKey]) ?? throttleOf(stage.DefaultRouteSettings),
      authorization: authorizer && { authorizer, scopes: scopes ?? [] },
    });
  }
  return { routes, cors };
}

/** The template's JWT authorizers, by logical id. */
function jwtAuthorizersOf(template: StackTemplate, resolver: IntrinsicResolver): Map<string, LocalJwtAuthorizer> {
  const authorizers = new Map<string, LocalJwtAuthorizer>();
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::ApiGatewayV2::Authorizer')) {
    const properties = resource.Properties as {
      AuthorizerType: string;
      IdentitySource: string[];
      JwtConfiguration?: { Issuer: unknown; Audience: unknown[] };
    };
    if (properties.AuthorizerType !== 'JWT' || !properties.JwtConfiguration) continue;
    authorizers.set(
      logicalId,
      new LocalJwtAuthorizer({
        issuer: resolver.resolveString(properties.JwtConfiguration.Issuer, logicalId),
        audiences: properties.JwtConfiguration.Audience.map((audience) => resolver.resolveString(audience, logicalId)),
        identitySource: properties.IdentitySource[0],
      }),
    );
  }
  return authorizers;
}

export interface HttpApiHandlers {
  invoke(functionArn: string, event: unknown, requestId: string): Promise<Invocation>;
  /** Paths outside the API (the local playground); true when answered. */
  serveOther?(request: IncomingMessage, response: ServerResponse): boolean;
  /** A chance to rewrite a function's answer before it is written (the playground's native-app redirects). */
  rewrite?(result: APIGatewayProxyResultV2): APIGatewayProxyResultV2;
  /** One line per request, once answered. */
  onRequest?(line: { method: string; path: string; status: number; ms: number; routeKey?: string }): void;
  /** @default API Gateway's 30 s */
  readonly integrationTimeoutMs?: number;
}

/** The request listener of the local HTTP API. */
export function httpApiListener(definition: HttpApiDefinition, handlers: HttpApiHandlers) {
  const buckets = new Map<string, TokenBucket>();
  const bucketOf = (route: HttpApiRoute) => {
    let bucket = buckets.get(route.routeKey);
    if (!bucket && route.throttle) buckets.set(route.routeKey, (bucket = new TokenBucket(route.throttle)));
    return bucket;
  };

  return (request: IncomingMessage, response: ServerResponse): void => {
    const started = Date.now();
    const { rawPath } = splitRequestTarget(request.url);
    const routeKey = `${request.method} ${rawPath}`;
    const route = definition.routes.get(routeKey);
    response.on('finish', () =>
      handlers.onRequest?.({
        method: request.method ?? '',
        path: rawPath,
        status: response.statusCode,
        ms: Date.now() - started,
        routeKey: route?.routeKey,
      }),
    );
    const origin = request.headers.origin;
    const cors = definition.cors;

    if (cors && request.method === 'OPTIONS' && origin && request.headers['access-control-request-method']) {
      answerPreflight(cors, request, response);
      return;
    }
    if (!route) {
      if (handlers.serveOther?.(request, response)) return;
      sendMessage(response, 404, 'Not Found');
      return;
    }
    if (bucketOf(route)?.take() === false) {
      sendMessage(response, 429, 'Too Many Requests');
      return;
    }
    readBody(request)
      .then(async (body) => {
        if (body === undefined) return sendMessage(response, 413, 'Request Entity Too Large');
        const requestId = randomUUID();
        const event = toApiGatewayEvent(request, body, route.routeKey, requestId);
        if (route.authorization) {
          const authorization = await route.authorization.authorizer.authorize(request.headers, route.authorization.scopes);
          if (authorization.outcome !== 'allowed') {
            const [status, message] = authorization.outcome === 'forbidden' ? [403, 'Forbidden'] : [401, 'Unauthorized'];
            return sendMessage(response, status, message, { 'www-authenticate': authorization.wwwAuthenticate });
          }
          (event.requestContext as { authorizer?: unknown }).authorizer = { jwt: authorization.context };
        }
        const invocation = await withIntegrationTimeout(
          handlers.invoke(route.functionArn, event, requestId),
          handlers.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS,
        );
        if (invocation === 'timeout') return sendMessage(response, 503, 'Service Unavailable');
        // A function error, a Lambda timeout or a throttle: what API Gateway answers for a failed integration.
        if (invocation.outcome !== 'result') return sendMessage(response, 500, 'Internal Server Error');
        const result = handlers.rewrite
          ? handlers.rewrite(invocation.payload as APIGatewayProxyResultV2)
          : (invocation.payload as APIGatewayProxyResultV2);
        writeApiGatewayResult(response, withCors(result, cors, origin));
      })
      .catch((error: unknown) => {
        process.stderr.write(`[guichet local] ${route.routeKey}: ${(error as Error).stack ?? String(error)}\n`);
        sendMessage(response, 500, 'Internal Server Error');
      });
  };
}

/** API Gateway's answer to a preflight: the configured headers for an allowed origin, none for any other. */
function answerPreflight(cors: CorsConfiguration, request: IncomingMessage, response: ServerResponse): void {
  const origin = request.headers.origin!;
  const method = String(request.headers['access-control-request-method']).toUpperCase();
  const requested = String(request.headers['access-control-request-headers'] ?? '')
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const allowedHeaders = (cors.AllowHeaders ?? []).map((name) => name.toLowerCase());
  const allowed =
    isAllowedOrigin(cors, origin) &&
    (cors.AllowMethods ?? []).some((allowedMethod) => allowedMethod === '*' || allowedMethod.toUpperCase() === method) &&
    requested.every((name) => allowedHeaders.includes('*') || allowedHeaders.includes(name));
  const headers: Record<string, string> = {};
  if (allowed) {
    headers['access-control-allow-origin'] = origin;
    headers['access-control-allow-methods'] = (cors.AllowMethods ?? []).join(',');
    if (cors.AllowHeaders?.length) headers['access-control-allow-headers'] = cors.AllowHeaders.join(',');
    if (cors.AllowCredentials) headers['access-control-allow-credentials'] = 'true';
    if (cors.MaxAge !== undefined) headers['access-control-max-age'] = String(cors.MaxAge);
  }
  response.writeHead(204, headers).end();
}

/** The function's answer with its own CORS headers replaced by the API's, for an allowed origin only. */
function withCors(
  result: APIGatewayProxyResultV2,
  cors: CorsConfiguration | undefined,
  origin: string | undefined,
): APIGatewayProxyResultV2 {
  if (!cors || typeof result !== 'object' || result === null || !('statusCode' in result)) return result;
  const headers = Object.fromEntries(
    Object.entries(result.headers ?? {}).filter(([name]) => !name.toLowerCase().startsWith('access-control-')),
  );
  if (origin && isAllowedOrigin(cors, origin)) {
    headers['access-control-allow-origin'] = origin;
    if (cors.AllowCredentials) headers['access-control-allow-credentials'] = 'true';
    if (cors.ExposeHeaders?.length) headers['access-control-expose-headers'] = cors.ExposeHeaders.join(',');
  }
  return { ...result, headers };
}

function isAllowedOrigin(cors: CorsConfiguration, origin: string): boolean {
  return (cors.AllowOrigins ?? []).some((allowed) => allowed === '*' || allowed.toLowerCase() === origin.toLowerCase());
}

function withIntegrationTimeout(invocation: Promise<Invocation>, timeoutMs: number): Promise<Invocation | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
  return Promise.race([invocation, timeout]).finally(() => clearTimeout(timer));
}

/** API Gateway's own answers carry `{"message": …}`. */
export function sendMessage(response: ServerResponse, status: number, message: string, headers: Record<string, string> = {}): void {
  if (response.headersSent) return void response.end();
  response.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ message }));
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

/** Stage throttling: a bucket of `burstLimit` tokens refilled at `rateLimit` per second. */
class TokenBucket {
  private tokens: number;
  private updated = Date.now();

  constructor(private readonly throttle: Throttle) {
    this.tokens = throttle.burstLimit;
  }

  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.throttle.burstLimit, this.tokens + ((now - this.updated) / 1000) * this.throttle.rateLimit);
    this.updated = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
