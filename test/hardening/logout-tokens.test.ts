import { randomBytes } from 'node:crypto';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { errors } from 'jose';
import { LogoutTokenRejected, logoutTokenFailure } from '../../lambdas/domain/logout-token';
import { dependencyFailure } from '../../lambdas/shared/dependencies';
import { httpEvent } from '../support/api-event';
import { type FakeIdp, startFakeIdp } from '../support/fake-idp';
import { type Integration, invoke, jsonBody, startIntegration } from '../support/integration';
import { storedSession } from '../support/sessions';

/**
 * Issue 20, point 1: a forged logout token is the sender's fault, never the IdP's. jose raises some of its errors
 * before any signature is checked (`crit`), or because the token names no key among several; each was answered
 * 502 DependencyFailed, so that ten anonymous requests paged the operator. Back-Channel Logout 1.0 §2.8 wants 400.
 * The IdP publishes two RSA keys from the start here, so that a token without `kid` matches both.
 */
const CLIENT_ID = 'guichet-under-test';
const EVENT = 'http://schemas.openid.net/event/backchannel-logout';
let idp: FakeIdp;
let integration: Integration;
let handler: typeof import('../../lambdas/handlers/auth/backchannel-logout').handler;

beforeAll(async () => {
  idp = await startFakeIdp();
  await idp.rotateKey('second-idp-key');
  integration = await startIntegration({ OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: 'secret' });
  ({ handler } = await import('../../lambdas/handlers/auth/backchannel-logout'));
});
afterAll(async () => {
  await integration?.guichet.close();
  await idp?.close();
});
afterEach(() => jest.restoreAllMocks());

const unique = () => randomBytes(8).toString('hex');
const claims = (sub: string) => {
  const now = Math.floor(Date.now() / 1000);
  return { iss: idp.issuer, aud: CLIENT_ID, iat: now, exp: now + 120, jti: unique(), sub, events: { [EVENT]: {} } };
};

/** The answer to one delivery, with the metrics it counted and whether the user's session survived. */
async function deliver(token: (sub: string) => Promise<string>) {
  const sub = unique();
  const session = await storedSession(integration.store, { issuer: idp.issuer, sub, subjectKey: JSON.stringify([idp.issuer, sub]) });
  const metrics = jest.spyOn(Metrics.prototype, 'addMetric');
  const result = await invoke(
    handler,
    httpEvent({
      method: 'POST',
      path: '/auth/backchannel-logout',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ logout_token: await token(sub) }).toString(),
    }),
  );
  return {
    status: result.statusCode,
    error: jsonBody(result).error,
    counted: metrics.mock.calls.map(([name]) => name),
    sessionKept: (await integration.store.get('sessions', session.id)) !== undefined,
  };
}

describe('a forged logout token is a 400 rejection, counted as such, never a dependency failure', () => {
  it.each([
    [
      'a critical header guichet does not understand (JOSENotSupported before the signature check)',
      async (sub: string) => idp.signAnyHeader({ crit: ['x'], x: 1 }, claims(sub)),
    ],
    ['a crit that is not a list', async (sub: string) => idp.signAnyHeader({ crit: 'x' }, claims(sub))],
    ['no kid while the IdP publishes two RSA keys (JWKSMultipleMatchingKeys)', (sub: string) => idp.sign(claims(sub), { kid: undefined })],
    ['a kid the IdP does not publish (JWKSNoMatchingKey, after one refetch)', (sub: string) => idp.sign(claims(sub), { kid: 'unknown' })],
    [
      'a header that asks for an unencoded payload (b64: false)',
      async (sub: string) => idp.signAnyHeader({ b64: false, crit: ['b64'] }, claims(sub)),
    ],
  ])('%s', async (_, token) => {
    expect(await deliver(token)).toEqual({ status: 400, error: 'invalid_request', counted: ['LogoutTokenRejected'], sessionKept: true });
  });
});

describe("every jose error of a logout token's validation", () => {
  type ErrorClass = new (message?: string) => Error;
  const joseErrorClasses = Object.entries(errors).filter(([, value]) => typeof value === 'function') as [string, ErrorClass][];
  /** What the IdP's keys answered, not what the sender wrote: a timeout, or a key set guichet cannot use. */
  const unusableKeys = new Set(['JWKSTimeout', 'JWKSInvalid', 'JOSEError']);

  it('covers every class jose exports', () => {
    expect(joseErrorClasses.map(([name]) => name).sort()).toEqual([
      'JOSEAlgNotAllowed',
      'JOSEError',
      'JOSENotSupported',
      'JWEDecryptionFailed',
      'JWEInvalid',
      'JWKInvalid',
      'JWKSInvalid',
      'JWKSMultipleMatchingKeys',
      'JWKSNoMatchingKey',
      'JWKSTimeout',
      'JWSInvalid',
      'JWSSignatureVerificationFailed',
      'JWTClaimValidationFailed',
      'JWTExpired',
      'JWTInvalid',
    ]);
  });

  it.each(joseErrorClasses.filter(([name]) => !unusableKeys.has(name)))('%s is a rejection of the token', (_, ErrorClass) => {
    const failure = logoutTokenFailure(new ErrorClass('made by the test'));
    expect(failure).toBeInstanceOf(LogoutTokenRejected);
    expect(dependencyFailure(failure)).toBeUndefined();
  });

  it.each([
    ['JWKSTimeout', new errors.JWKSTimeout(), 504],
    ['JWKSInvalid (a key set guichet cannot use)', new errors.JWKSInvalid('JSON Web Key Set malformed'), 502],
    ['the JWKS answered something else than 200', new errors.JOSEError('Expected 200 OK from the JSON Web Key Set HTTP response'), 502],
    ['the JWKS could not be fetched', new TypeError('fetch failed'), 502],
  ])('%s stays a failure of the IdP', (_, error, status) => {
    const failure = logoutTokenFailure(error);
    expect(failure).not.toBeInstanceOf(LogoutTokenRejected);
    expect(dependencyFailure(failure)?.answer.status).toBe(status);
  });
});
