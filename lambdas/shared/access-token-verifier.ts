import { createRemoteJWKSet, customFetch, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

/**
 * How a resource server outside API Gateway checks guichet's access tokens — user tokens for a product API,
 * client-credentials and add-in tokens — with `jose` alone against guichet's JWKS: what API Gateway's JWT
 * authorizer does, plus `typ: at+jwt` (RFC 9068), pinned algorithms and the claims guichet always writes. It
 * depends on nothing else of guichet, so that a product's backend can take this file as it is.
 */
export interface AccessTokenVerifierOptions {
  /** guichet's public URL (GUICHET_PUBLIC_URL): the tokens' `iss`, and where its JWKS is. */
  readonly issuer: string;
  /** The API's audience: a key of API_AUDIENCES, or ACCESS_TOKEN_AUDIENCE. */
  readonly audience: string;
  /** A token must carry this scope. */
  readonly requiredScope?: string;
  /** How long fetched keys are kept; guichet publishes a new key ahead of using it. @default 300 */
  readonly jwksCacheSeconds?: number;
  /** @default ['RS256', 'ES256'] */
  readonly algorithms?: readonly string[];
  /** @default fetch */
  readonly fetch?: typeof fetch;
}

export interface VerifiedAccessToken {
  readonly sub: string;
  readonly clientId: string;
  readonly scopes: readonly string[];
  readonly email?: string;
  /**
   * On a token an application minted to act for a user (`subject=<email>`): that application's client id, from
   * `act.sub` (RFC 8693 §4.1). Absent on the user's own tokens: an API that must know who acts checks it.
   */
  readonly actor?: string;
  /** The public id of the guichet session, on user tokens. */
  readonly sid?: string;
  readonly expiresAt: number;
  readonly claims: JWTPayload;
}

/** The token is missing, malformed, forged, expired, for another API or without the scope: answer 401 (or 403). */
export class InvalidAccessToken extends Error {
  constructor(
    message: string,
    readonly insufficientScope = false,
  ) {
    super(message);
    this.name = 'InvalidAccessToken';
  }
}

/**
 * A verifier of `Authorization` header values. A failure to fetch the JWKS is thrown as it is (the JWKS is down:
 * a 5xx, not the caller's fault); everything wrong with the token is an InvalidAccessToken.
 */
export function accessTokenVerifier(
  options: AccessTokenVerifierOptions,
): (authorization: string | undefined) => Promise<VerifiedAccessToken> {
  const issuer = options.issuer.replace(/\/+$/, '');
  // Made for the first token that needs a key: making jose's remote key set loads Node's fetch (undici), tens of
  // milliseconds that a process answering only malformed tokens, or not yet any, need not spend.
  let remote: JWTVerifyGetKey | undefined;
  const jwks: JWTVerifyGetKey = (header, token) =>
    (remote ??= createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`), {
      cacheMaxAge: (options.jwksCacheSeconds ?? 300) * 1000,
      ...(options.fetch ? { [customFetch]: options.fetch } : {}),
    }))(header, token);
  return async (authorization) => {
    const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
    if (!token) throw new InvalidAccessToken('a Bearer access token is required');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: options.audience,
        typ: 'at+jwt',
        algorithms: [...(options.algorithms ?? ['RS256', 'ES256'])],
        requiredClaims: ['sub', 'client_id', 'scope', 'exp', 'iat', 'jti'],
      }));
    } catch (error) {
      if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) throw error;
      throw new InvalidAccessToken('the access token is invalid or expired');
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [];
    if (scopes.length === 0) throw new InvalidAccessToken('the access token has no scope');
    if (options.requiredScope !== undefined && !scopes.includes(options.requiredScope)) {
      throw new InvalidAccessToken(`the access token lacks the scope ${options.requiredScope}`, true);
    }
    return {
      sub: payload.sub!,
      clientId: String(payload.client_id),
      scopes,
      email: typeof payload.email === 'string' ? payload.email : undefined,
      actor: actorOf(payload.act),
      sid: typeof payload.sid === 'string' ? payload.sid : undefined,
      expiresAt: payload.exp!,
      claims: payload,
    };
  };
}

function actorOf(act: unknown): string | undefined {
  const sub = typeof act === 'object' && act !== null ? (act as { sub?: unknown }).sub : undefined;
  return typeof sub === 'string' ? sub : undefined;
}
