import { TemporarilyUnavailable } from './errors';
import type { Dependency, DependencyFailureKind } from './metric-names';

/**
 * What guichet answers when something it depends on fails: not a bare 500, but what is unavailable, as 502
 * (unreachable, or an unusable answer), 503 (throttled or failing, with Retry-After) or 504 (no answer in time),
 * with the `temporarily_unavailable` error body. Every call to a dependency is made through `tracing.ts`, which
 * marks a failure with the dependency it came from; the classification reads that mark anywhere in the error's
 * chain of causes (the IdP library wraps the fetch error it got).
 */
const DEPENDENCY = Symbol.for('guichet.dependency');

/** Marks `error` as a failure of `dependency`, and returns it. */
export function markDependency<E>(error: E, dependency: Dependency): E {
  if (typeof error === 'object' && error !== null && !(DEPENDENCY in error)) {
    Object.defineProperty(error, DEPENDENCY, { value: dependency, enumerable: false });
  }
  return error;
}

const UNCACHED = Symbol.for('guichet.uncached');

/**
 * Marks `error` as met while guichet had no usable cached copy of `what`, so it had to ask the dependency itself:
 * the answer names both, as 503, since guichet cannot serve until one of them is back.
 */
export function markUncached<E>(error: E, what: string): E {
  if (typeof error === 'object' && error !== null && !(UNCACHED in error)) {
    Object.defineProperty(error, UNCACHED, { value: what, enumerable: false });
  }
  return error;
}

/** The failures that may pass: a refusal of guichet's own configuration (`refused_client`) is not one. */
type TransientKind = Exclude<DependencyFailureKind, 'refused_client'>;

export interface DependencyFailure {
  readonly dependency: Dependency;
  readonly kind: TransientKind;
  readonly answer: TemporarilyUnavailable;
}

const LABELS: Readonly<Record<Dependency, string>> = {
  idp: 'the identity provider',
  DynamoDB: 'the database',
  SecretsManager: 'the secret store',
  SQS: 'the logout delivery queue',
  jwks: "guichet's published keys",
  applicationJwks: "an application's published keys",
};

const THROTTLED = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'LimitExceededException',
]);
const TIMED_OUT = new Set([
  'TimeoutError',
  'AbortError',
  'RequestTimeout',
  'RequestTimeoutException',
  'ETIMEDOUT',
  'ERR_JWKS_TIMEOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ECONNRESET',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'UND_ERR_SOCKET',
]);

/** The answer for a dependency's failure, or undefined when `error` is not one (a bug answers 500). */
export function dependencyFailure(error: unknown): DependencyFailure | undefined {
  const chain = causes(error);
  const dependency = chain.map((link) => (link as { [DEPENDENCY]?: Dependency })[DEPENDENCY]).find(Boolean);
  if (!dependency) return undefined;
  const kind = kindOf(chain);
  if (!kind) return undefined;
  const uncached = chain.map((link) => (link as { [UNCACHED]?: string })[UNCACHED]).find(Boolean);
  return { dependency, kind, answer: answerFor(LABELS[dependency], kind, uncached) };
}

function kindOf(chain: readonly object[]): TransientKind | undefined {
  const names = chain.flatMap((link) =>
    [(link as Error).name, (link as { code?: string }).code].filter((name): name is string => typeof name === 'string'),
  );
  if (names.some((name) => THROTTLED.has(name))) return 'throttled';
  if (names.some((name) => TIMED_OUT.has(name))) return 'timeout';
  if (
    names.some((name) => UNREACHABLE.has(name)) ||
    chain.some((link) => link instanceof TypeError && (link as Error).message === 'fetch failed')
  ) {
    return 'unreachable';
  }
  const aws = chain.find((link): link is { $fault?: string; $metadata?: { httpStatusCode?: number } } => '$metadata' in link);
  if (aws) return aws.$fault === 'server' || (aws.$metadata?.httpStatusCode ?? 0) >= 500 ? 'failed' : undefined;
  return 'invalid_response';
}

const ANSWERS: Readonly<Record<TransientKind, { readonly what: string; readonly retryAfter: number; readonly status: 502 | 503 | 504 }>> = {
  throttled: { what: 'is busy; retry shortly', retryAfter: 1, status: 503 },
  failed: { what: 'is failing; retry shortly', retryAfter: 2, status: 503 },
  timeout: { what: 'did not answer in time', retryAfter: 5, status: 504 },
  unreachable: { what: 'could not be reached', retryAfter: 5, status: 502 },
  invalid_response: { what: 'answered something unusable', retryAfter: 5, status: 502 },
};

function answerFor(label: string, kind: TransientKind, uncached: string | undefined): TemporarilyUnavailable {
  const { what, retryAfter, status } = ANSWERS[kind];
  if (uncached) return new TemporarilyUnavailable(`${uncached} is not cached and ${label} ${what}`, retryAfter, 503);
  return new TemporarilyUnavailable(`${label} ${what}`, retryAfter, status);
}

/** The error and its causes, first to last (bounded: a cause chain may loop). */
function causes(error: unknown): object[] {
  const chain: object[] = [];
  for (
    let link = error;
    typeof link === 'object' && link !== null && chain.length < 8 && !chain.includes(link);
    link = (link as { cause?: unknown }).cause
  ) {
    chain.push(link);
  }
  return chain;
}
