import { SignJWT } from 'jose';
import type { AppConfig } from '../shared/config';
import { randomSecret } from '../shared/crypto';
import type { SigningKey } from '../shared/signing-keys';
import { nowSeconds } from '../shared/time';

export interface AccessTokenRequest {
  /** The user (delegation, add-ins) or the application itself (client credentials). */
  readonly sub: string;
  readonly clientId: string;
  readonly scope: string;
  readonly email?: string;
  readonly ttlSeconds: number;
}

export interface AccessToken {
  readonly token: string;
  readonly expiresIn: number;
}

/** An RFC 9068 JWT access token: `typ: at+jwt`, `kid`, issued by guichet for ACCESS_TOKEN_AUDIENCE. */
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
  })
    .setProtectedHeader({ alg: signingKey.alg, typ: 'at+jwt', kid: signingKey.kid })
    .setIssuer(config.publicUrl)
    .setAudience(config.accessTokenAudience)
    .setSubject(request.sub)
    .setIssuedAt(now)
    .setExpirationTime(now + request.ttlSeconds)
    .setJti(randomSecret())
    .sign(signingKey.key);
  return { token, expiresIn: request.ttlSeconds };
}
