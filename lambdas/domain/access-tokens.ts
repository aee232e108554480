import { SignJWT } from 'jose';
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
  /** The public id of the guichet session a user token was minted from. */
  readonly sid?: string;
  /** @default ACCESS_TOKEN_AUDIENCE */
  readonly audience?: string;
  readonly ttlSeconds: number;
}

export interface AccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

/** An RFC 9068 JWT access token: `typ: at+jwt`, `kid`, issued by guichet for ACCESS_TOKEN_AUDIENCE unless told another. */
export async function mintAccessToken(
  request: AccessTokenRequest,
  signingKey: SigningKey,
  config: Pick<AppConfig, 'publicUrl' | 'accessTokenAudience'>,
): Promise<AccessToken> {
  const now = nowSeconds();
  const token = await new SignJWT({
    client_id: request.clientId,
    scope: request.scope,
    ...(request.email === undefined ? {} : { email: request.email }),
    ...(request.sid === undefined ? {} : { sid: request.sid }),
  })
    .setProtectedHeader({ alg: signingKey.alg, typ: 'at+jwt', kid: signingKey.kid })
    .setIssuer(config.publicUrl)
    .setAudience(request.audience ?? config.accessTokenAudience)
    .setSubject(request.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + request.ttlSeconds)
    .setJti(randomSecret())
    .sign(signingKey.key);
  return { token, expiresIn: request.ttlSeconds };
}
