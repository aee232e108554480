import type { AppConfig } from '../shared/config';
import { randomSecret } from '../shared/crypto';
import { FIXED_SIGNED_TOKEN_LIFETIMES } from '../shared/signing-key-schedule';
import type { SigningKey } from '../shared/signing-keys';
import { nowSeconds } from '../shared/time';
import { signedJwt } from './access-tokens';
import { BACKCHANNEL_LOGOUT_EVENT } from './token-types';

export const DOWNSTREAM_LOGOUT_TOKEN_TTL_SECONDS = FIXED_SIGNED_TOKEN_LIFETIMES.downstreamLogoutTokenSeconds;

export interface DownstreamLogout {
  readonly audience: string;
  readonly sub: string;
  /** The session's public id, the `sid` of every token minted from it. */
  readonly sid: string;
}

/**
 * A logout token per OpenID Connect Back-Channel Logout 1.0 §2.4, with guichet as the OP: `typ: logout+jwt` and the
 * signing key's `kid`, signed as guichet's access tokens are; `iss`, `aud`, `iat`, `exp`, a fresh `jti` (each
 * attempt gets its own token), the logout event, `sid` and `sub`; never a `nonce`.
 */
export function mintDownstreamLogoutToken(logout: DownstreamLogout, signingKey: SigningKey, config: Pick<AppConfig, 'publicUrl'>): string {
  const now = nowSeconds();
  return signedJwt(
    'logout+jwt',
    {
      iss: config.publicUrl,
      aud: logout.audience,
      iat: now,
      exp: now + DOWNSTREAM_LOGOUT_TOKEN_TTL_SECONDS,
      jti: randomSecret(),
      events: { [BACKCHANNEL_LOGOUT_EVENT]: {} },
      sid: logout.sid,
      sub: logout.sub,
    },
    signingKey,
  );
}
