import { dependencyFailure, markDependency, markUncached } from '../../../lambdas/shared/dependencies';

/** An error as the AWS SDK throws it: a service exception with its fault and HTTP status. */
const awsError = (name: string, fault: 'client' | 'server', status: number) =>
  Object.assign(new Error(name), { name, $fault: fault, $metadata: { httpStatusCode: status } });

describe('dependencyFailure', () => {
  it('leaves an unmarked error alone: a bug answers 500', () => {
    expect(dependencyFailure(new Error('bug'))).toBeUndefined();
    expect(dependencyFailure(undefined)).toBeUndefined();
  });

  it.each([
    [
      'DynamoDB throttling',
      'DynamoDB',
      awsError('ProvisionedThroughputExceededException', 'client', 400),
      'throttled',
      503,
      'the database is busy; retry shortly',
      '1',
    ],
    [
      'a failing DynamoDB',
      'DynamoDB',
      awsError('InternalServerError', 'server', 500),
      'failed',
      503,
      'the database is failing; retry shortly',
      '2',
    ],
    [
      'a failing Secrets Manager',
      'SecretsManager',
      awsError('InternalServiceError', 'server', 500),
      'failed',
      503,
      'the secret store is failing; retry shortly',
      '2',
    ],
    [
      'an unreachable IdP',
      'idp',
      new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }),
      'unreachable',
      502,
      'the identity provider could not be reached',
      '5',
    ],
    [
      'an IdP too slow',
      'idp',
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      'timeout',
      504,
      'the identity provider did not answer in time',
      '5',
    ],
    [
      'an IdP answering garbage',
      'idp',
      new Error('failed to parse "response" body as JSON'),
      'invalid_response',
      502,
      'the identity provider answered something unusable',
      '5',
    ],
  ] as const)('answers %s with what is unavailable', (_, dependency, error, kind, status, description, retryAfter) => {
    const failure = dependencyFailure(markDependency(error, dependency));
    expect(failure).toMatchObject({ dependency, kind });
    expect(failure?.answer).toMatchObject({ status, code: 'temporarily_unavailable', description, headers: { 'Retry-After': retryAfter } });
  });

  it("finds the mark anywhere in the chain of causes (the IdP library wraps fetch's error)", () => {
    const wrapped = new Error('something went wrong', {
      cause: markDependency(new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } }), 'idp'),
    });
    expect(dependencyFailure(wrapped)).toMatchObject({ dependency: 'idp', kind: 'unreachable' });
  });

  it("treats AWS's refusal of guichet's own request (AccessDenied, a bad request) as a bug, not an outage", () => {
    expect(dependencyFailure(markDependency(awsError('AccessDeniedException', 'client', 400), 'DynamoDB'))).toBeUndefined();
    expect(dependencyFailure(markDependency(awsError('ValidationException', 'client', 400), 'DynamoDB'))).toBeUndefined();
  });

  it('keeps the first mark: a failure is the dependency it came from', () => {
    const error = markDependency(markDependency(new Error('x'), 'jwks'), 'idp');
    expect(dependencyFailure(error)?.dependency).toBe('jwks');
  });

  it('names the cached copy guichet lacked, and answers 503: it cannot serve until the copy or the dependency is back', () => {
    const timedOut = markUncached(
      markDependency(new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'idp'),
      "the identity provider's metadata",
    );
    expect(dependencyFailure(new Error('wrapped', { cause: timedOut }))).toMatchObject({
      dependency: 'idp',
      kind: 'timeout',
      answer: {
        status: 503,
        description: "the identity provider's metadata is not cached and the identity provider did not answer in time",
        headers: { 'Retry-After': '5' },
      },
    });
  });
});
