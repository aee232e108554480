import { sign } from 'node:crypto';
import type { AppConfig } from '../shared/config';
import { randomSecret } from '../shared/crypto';
import type { SigningKey } from '../shared/signing-keys';
import { nowSeconds } from '../shared/time';

export interface AccessTokenRequest {
  /** The user (delegation, add-ins, user tokens) or the application itself (client credentials). */
  readonly sub: string;
  readonly clientId: string;
  readonly scope: string;
  readonly email?: string;
  /** Who acts for `sub` (RFC 8693 §4.1 `act`): an application's client id on a delegated token. */
  readonly actor?: string;
  /** The public id of the guichet session a user token was minted from. */
  readonly sid?: string;
  /** @default ACCESS_TOKEN_AUDIENCE */
  readonly audience?: string;
  readonly ttlSeconds: number;
  /** The token never lives past this instant (epoch seconds): the end of the session it speaks for. */
  readonly notAfter?: number;
}

export interface AccessToken {
  readonly token: string;
  readonly expiresIn: number;
  /** Its `exp`. */
  readonly expiresAt: number;
}

/**
 * An RFC 9068 JWT access token: `typ: at+jwt`, `kid`, issued by guichet for ACCESS_TOKEN_AUDIENCE unless told
 * another. Signed with node:crypto in the calling thread: WebCrypto (through jose) hands every signature to the
 * thread pool and back, which cost as much CPU again as the RS256 signature itself.
 */
export async function mintAccessToken(
  request: AccessTokenRequest,
  signingKey: SigningKey,
  config: Pick<AppConfig, 'publicUrl' | 'accessTokenAudience'>,
): Promise<AccessToken> {
  const now = nowSeconds();
  const exp = Math.min(now + request.ttlSeconds, request.notAfter ?? Number.POSITIVE_INFINITY);
  const claims = {
    client_id: request.clientId,
    scope: request.scope,
    ...(request.email === undefined ? {} : { email: request.email }),
    ...(request.actor === undefined ? {} : { act: { sub: request.actor } }),
    ...(request.sid === undefined ? {} : { sid: request.sid }),
    iss: config.publicUrl,
    aud: request.audience ?? config.accessTokenAudience,
    sub: request.sub,
    iat: now,
    exp,
    jti: randomSecret(),
  };
  return { token: signedJwt('at+jwt', claims, signingKey), expiresIn: exp - now, expiresAt: exp };
}

/** A compact JWS of these claims, with `typ` and the signing key's `kid`: every JWT guichet issues is signed here. */
export function signedJwt(typ: string, claims: object, signingKey: SigningKey): string {
  const header = { alg: signingKey.alg, typ, kid: signingKey.kid };
  const signingInput = `${base64url(header)}.${base64url(claims)}`;
  return `${signingInput}.${signJws(signingInput, signingKey).toString('base64url')}`;
}

const base64url = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');

/** RS256 (RSASSA-PKCS1-v1_5) or ES256, whose JWS signature is r and s side by side (RFC 7518 §3.4), not DER. */
function signJws(signingInput: string, { alg, key }: SigningKey): Buffer {
  return sign('sha256', Buffer.from(signingInput), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
}
