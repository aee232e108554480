import { createLocalJWKSet, decodeJwt, errors, type JWTPayload, jwtVerify } from 'jose';
import { ASYMMETRIC_ALGORITHMS } from '../shared/signing-algorithms';
import type { PublicJwks } from './application-credentials';

/** RFC 7523 §2.2: the `client_assertion_type` of private_key_jwt. */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** An assertion expires at most this far ahead: it is single use, and its `jti` is remembered until then. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** Between the application's clock and guichet's, for `exp`, `nbf` and `iat`. */
const CLOCK_TOLERANCE_SECONDS = 30;
export const MAX_ASSERTION_BYTES = 8 * 1024;
const MAX_JTI_LENGTH = 256;

/** Why an assertion is refused: logged for the operator, never told to the client (it gets invalid_client). */
export class AssertionRefused extends Error {
  constructor(readonly reason: string) {
    super(`client assertion refused: ${reason}`);
    this.name = 'AssertionRefused';
  }
}

/** The assertion names a key (`kid`) that the keys it was checked against lack: newer keys may have it. */
export class AssertionKeyUnknown extends AssertionRefused {
  constructor() {
    super('unknown_key');
    this.name = 'AssertionKeyUnknown';
  }
}

/** The client an assertion says it comes from (its `sub`), unverified: which application's keys to check it with. */
export function assertedClientId(assertion: string): string | undefined {
  try {
    const { sub } = decodeJwt(assertion);
    return typeof sub === 'string' ? sub : undefined;
  } catch {
    return undefined;
  }
}

export interface AssertionExpectations {
  readonly clientId: string;
  /** guichet's issuer and its token endpoint: either may be the `aud`. */
  readonly audiences: readonly string[];
  readonly now: number;
}

export interface VerifiedAssertion {
  readonly jti: string;
  /** When the assertion can no longer be accepted: its `jti` must be remembered until then. */
  readonly deadAt: number;
}

/** jose's key selection (by `kid`, else by the algorithm's key type) over one JWK Set, made once per set. */
const keySelectors = new WeakMap<PublicJwks, ReturnType<typeof createLocalJWKSet>>();

/**
 * Verifies a client assertion per RFC 7523 §3 and OpenID Connect Core §9: signed with an asymmetric algorithm by one
 * of `jwks` (chosen by `kid`), `iss` and `sub` the client id, `aud` guichet's issuer or token endpoint, `exp` present
 * and at most 5 minutes ahead, `nbf` and `iat` not in the future, and a `jti`. Does not record the `jti`: the caller
 * does, once everything else passed.
 */
export async function verifyClientAssertion(
  assertion: string,
  jwks: PublicJwks,
  expected: AssertionExpectations,
): Promise<VerifiedAssertion> {
  let selector = keySelectors.get(jwks);
  if (!selector) keySelectors.set(jwks, (selector = createLocalJWKSet({ keys: [...jwks.keys] })));
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(assertion, selector, {
      algorithms: [...ASYMMETRIC_ALGORITHMS],
      issuer: expected.clientId,
      subject: expected.clientId,
      audience: [...expected.audiences],
      requiredClaims: ['exp', 'jti'],
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      currentDate: new Date(expected.now * 1000),
    }));
  } catch (error) {
    throw refusal(error);
  }
  if (payload.exp! > expected.now + MAX_ASSERTION_LIFETIME_SECONDS) throw new AssertionRefused('exp_too_far');
  if (typeof payload.iat === 'number' && payload.iat > expected.now + CLOCK_TOLERANCE_SECONDS) throw new AssertionRefused('iat_in_future');
  if (typeof payload.jti !== 'string' || !payload.jti || payload.jti.length > MAX_JTI_LENGTH) throw new AssertionRefused('jti');
  return { jti: payload.jti, deadAt: payload.exp! + CLOCK_TOLERANCE_SECONDS };
}

function refusal(error: unknown): Error {
  if (error instanceof errors.JWKSNoMatchingKey) return new AssertionKeyUnknown();
  if (error instanceof errors.JWTExpired) return new AssertionRefused('expired');
  if (error instanceof errors.JWTClaimValidationFailed) return new AssertionRefused(`claim_${error.claim}`);
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return new AssertionRefused('algorithm');
  if (error instanceof errors.JWSSignatureVerificationFailed) return new AssertionRefused('signature');
  if (error instanceof errors.JWKSMultipleMatchingKeys) return new AssertionRefused('ambiguous_key');
  if (error instanceof errors.JOSEError) return new AssertionRefused('malformed');
  return error as Error;
}
