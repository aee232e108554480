import {
  createRemoteJWKSet,
  customFetch,
  decodeProtectedHeader,
  errors,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import { markDependency } from '../shared/dependencies';
import type { LogoutRejectionReason } from '../shared/metric-names';
import type { OidcConfiguration } from '../shared/oidc';
import { isAsymmetricAlgorithm } from '../shared/signing-algorithms';
import { tracedFetch } from '../shared/tracing';
import { BACKCHANNEL_LOGOUT_EVENT } from './token-types';

/** Logout tokens are small; anything larger is refused before any parsing. */
export const MAX_LOGOUT_TOKEN_BYTES = 8 * 1024;
const CLOCK_SKEW_SECONDS = 60;
const MAX_AGE_SECONDS = 86_400;

export class LogoutTokenRejected extends Error {
  constructor(
    readonly reason: LogoutRejectionReason,
    message: string,
  ) {
    super(message);
    this.name = 'LogoutTokenRejected';
  }
}

export interface LogoutClaims {
  readonly issuer: string;
  readonly jti: string;
  readonly sid?: string;
  readonly sub?: string;
  /** The token's `iat`: when the IdP ended the session, by its clock. */
  readonly issuedAt: number;
  /** When the token can no longer be accepted: its jti must be remembered until then. */
  readonly deadAt: number;
}

/**
 * Validates a logout token per OpenID Connect Back-Channel Logout 1.0 §2.6: signed by the IdP with an
 * algorithm it advertises (asymmetric only), `typ` logout+jwt if present, `iss`, `aud`, `iat` and `exp`
 * with 60 s of skew and at most a day old, `jti`, the logout event as an object, `sid` or `sub`, no
 * `nonce`. Unknown extra claims are ignored. The IdP's keys are cached; an unknown `kid` makes jose
 * refetch them, at most every 30 s.
 */
export function logoutTokenValidator(idp: OidcConfiguration, clientId: string) {
  const metadata = idp.serverMetadata();
  if (!metadata.jwks_uri) throw new Error('the identity provider publishes no jwks_uri');
  const keys = createRemoteJWKSet(new URL(metadata.jwks_uri), {
    cooldownDuration: 30_000,
    cacheMaxAge: 600_000,
    [customFetch]: tracedFetch('idp'),
  });
  const algorithms = (metadata.id_token_signing_alg_values_supported ?? ['RS256']).filter(isAsymmetricAlgorithm);

  return async (token: string): Promise<LogoutClaims> => {
    if (Buffer.byteLength(token) > MAX_LOGOUT_TOKEN_BYTES) throw new LogoutTokenRejected('too_large', 'the logout token is too large');
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(token);
    } catch {
      throw new LogoutTokenRejected('malformed', 'the logout token is not a JWT');
    }
    if (typeof header.alg !== 'string' || !algorithms.includes(header.alg)) {
      throw new LogoutTokenRejected('algorithm', 'the logout token is not signed with an accepted algorithm');
    }
    if (header.typ !== undefined && !/^(application\/)?logout\+jwt$/i.test(header.typ)) {
      throw new LogoutTokenRejected('type', 'the logout token has the wrong typ');
    }
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, keys, {
        issuer: metadata.issuer,
        audience: clientId,
        algorithms,
        clockTolerance: CLOCK_SKEW_SECONDS,
        maxTokenAge: MAX_AGE_SECONDS,
        requiredClaims: ['iat', 'exp', 'jti'],
      }));
    } catch (error) {
      throw logoutTokenFailure(error);
    }
    const events = payload.events as Record<string, unknown> | undefined;
    const event = isObject(events) ? events[BACKCHANNEL_LOGOUT_EVENT] : undefined;
    if (!isObject(event)) throw new LogoutTokenRejected('events', 'the logout token lacks the back-channel logout event');
    const sid = typeof payload.sid === 'string' && payload.sid ? payload.sid : undefined;
    const sub = typeof payload.sub === 'string' && payload.sub ? payload.sub : undefined;
    if (sid === undefined && sub === undefined) throw new LogoutTokenRejected('subject', 'the logout token has neither sid nor sub');
    if ('nonce' in payload) throw new LogoutTokenRejected('nonce', 'a logout token must not carry a nonce');
    if (typeof payload.jti !== 'string' || !payload.jti) throw new LogoutTokenRejected('claims', 'the logout token has no jti');
    return {
      issuer: metadata.issuer,
      jti: payload.jti,
      sid,
      sub,
      issuedAt: payload.iat!,
      deadAt: Math.max(payload.exp!, payload.iat! + MAX_AGE_SECONDS) + CLOCK_SKEW_SECONDS,
    };
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * What a failed validation means. jose raises its errors for what the token says (a header it does not support,
 * a `kid` that matches no key or several, a bad signature or claim): the sender's fault, a 400 counted as a
 * rejected token. Only the IdP's keys themselves failing (no answer in time, an answer other than a 200 with a
 * JSON key set guichet can use, or no answer at all) is the IdP's failure, worth a retry.
 */
export function logoutTokenFailure(error: unknown): Error {
  if (!(error instanceof errors.JOSEError) || isUnusableKeySet(error)) return markDependency(error as Error, 'idp');
  if (error instanceof errors.JWTExpired) return new LogoutTokenRejected('expired', 'the logout token has expired');
  if (error instanceof errors.JWTClaimValidationFailed) {
    return new LogoutTokenRejected('claims', `the logout token's ${error.claim} claim is not acceptable`);
  }
  if (
    error instanceof errors.JWSSignatureVerificationFailed ||
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JWKInvalid
  ) {
    return new LogoutTokenRejected('signature', "no key of the identity provider verifies the logout token's signature");
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return new LogoutTokenRejected('algorithm', 'algorithm not accepted');
  return new LogoutTokenRejected('malformed', 'the logout token is not a JWT guichet accepts');
}

/** jose's own failures of the JWKS fetch: a timeout, a key set it cannot read, or a bare JOSEError (status or body). */
function isUnusableKeySet(error: errors.JOSEError): boolean {
  return error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || error.constructor === errors.JOSEError;
}
