import type middy from '@middy/core';
import { markDependency } from './dependencies';
import type { HttpEvent, HttpResult } from './http';
import type { Dependency } from './metric-names';
import { logger } from './observability';

/**
 * Tracing without a tracing SDK in the bundle. Lambda active tracing (set on every function) records each
 * invocation from the runtime itself; within it, every call guichet makes to AWS (DynamoDB, Secrets Manager)
 * and to the IdP is timed here, and the request ends with one log record listing them, carrying the X-Ray trace
 * id Powertools Logger adds. The X-Ray SDK is not used: it is in maintenance and ends its support in 2027, and
 * it was a sixth of every bundle.
 */
export interface DependencyCall {
  readonly dependency: Dependency;
  /** The AWS operation, or the HTTP method and path at the IdP. */
  readonly operation: string;
  readonly ms: number;
  /** `ok`, or the error's name (`ProvisionedThroughputExceededException`, `TimeoutError`…). */
  readonly outcome: string;
}

/** The calls of the invocation in progress: a Lambda environment runs one invocation at a time. */
let calls: DependencyCall[] = [];

export function dependencyCalls(): readonly DependencyCall[] {
  return calls;
}

async function timed<T>(dependency: Dependency, operation: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  let outcome = 'ok';
  try {
    return await work();
  } catch (error) {
    outcome = (error as Error).name || 'Error';
    throw markDependency(error, dependency);
  } finally {
    calls.push({ dependency, operation, ms: Math.round((performance.now() - started) * 10) / 10, outcome });
  }
}

type Next = (args: unknown) => Promise<unknown>;
type TimingMiddleware = (next: Next, context: { readonly commandName?: string }) => Next;

/** An AWS SDK v3 client of `dependency` whose every command, retries included, is timed. */
export function traced<
  T extends { readonly middlewareStack: { add(middleware: never, options: { step: 'initialize'; name: string }): void } },
>(client: T, dependency: Extract<Dependency, 'DynamoDB' | 'SecretsManager' | 'SQS'>): T {
  const timing: TimingMiddleware = (next, context) => (args) =>
    timed(dependency, (context.commandName ?? 'call').replace(/Command$/, ''), () => next(args));
  client.middlewareStack.add(timing as never, { step: 'initialize', name: 'guichetDependencyTiming' });
  return client;
}

/** `fetch`, timed as a call to `dependency` (the IdP's discovery, token endpoint and keys). */
export function tracedFetch(dependency: Extract<Dependency, 'idp' | 'jwks'>): typeof fetch {
  return (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    return timed(dependency, `${init?.method ?? 'GET'} ${url.pathname}`, () => fetch(input, init));
  };
}

/** Any other call to `dependency` (an application's `jwks_uri`, through the SSRF-guarded fetch), timed. */
export function tracedCall<T>(dependency: Extract<Dependency, 'applicationJwks'>, operation: string, work: () => Promise<T>): Promise<T> {
  return timed(dependency, operation, work);
}

/** Starts each invocation's list of calls and ends it with one record: the answer's status and every call made. */
export function tracingMiddleware(): middy.MiddlewareObj<HttpEvent, HttpResult> {
  const report = (request: middy.Request<HttpEvent, HttpResult>) => {
    logger.info('request traced', { status: request.response?.statusCode, dependencies: calls });
  };
  return {
    before: () => {
      calls = [];
    },
    after: report,
    onError: report,
  };
}
