import type { SessionRecord } from '../repositories/sessions';
import type { AppConfig } from '../shared/config';
import type { SigningKey } from '../shared/signing-keys';
import { type AccessToken, mintAccessToken } from './access-tokens';
import { publicSessionId } from './user-tokens';

/** `client_id` of the access tokens minted for add-ins. */
export const ADDIN_CLIENT_ID = 'guichet-addons';

export type AddinTokenConfig = Pick<
  AppConfig,
  'addonsTokenScope' | 'addonsTokenTtlSeconds' | 'publicUrl' | 'accessTokenAudience' | 'backchannelLogoutUris'
>;

export interface AddinToken extends AccessToken {
  readonly scope: string;
}

/**
 * The add-in's access token for the user of the web session that confirmed its login; the one place it is minted.
 * As a user token, it carries that session's public `sid` and never outlives the session.
 */
export async function mintAddinToken(webSession: SessionRecord, signingKey: SigningKey, config: AddinTokenConfig): Promise<AddinToken> {
  const token = await mintAccessToken(
    {
      sub: webSession.sub,
      email: webSession.email,
      sid: publicSessionId(webSession.id),
      clientId: ADDIN_CLIENT_ID,
      scope: config.addonsTokenScope,
      ttlSeconds: config.addonsTokenTtlSeconds,
      notAfter: webSession.expiresAt,
    },
    signingKey,
    config,
  );
  return { ...token, scope: config.addonsTokenScope };
}
