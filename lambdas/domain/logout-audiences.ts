import { recordLogoutAudience, type SessionRecord } from '../repositories/sessions';
import type { AppConfig } from '../shared/config';

/**
 * Called wherever a token of a session is minted for an audience (user tokens, add-in tokens), before it is: an
 * audience that registered a back-channel logout endpoint is remembered on the session, to be told when the session
 * ends. The session was just read, so an audience already on it costs no write. False when the session has ended
 * meanwhile: then no token may be minted from it.
 */
export async function recordTokenAudience(
  session: SessionRecord,
  audience: string,
  config: Pick<AppConfig, 'backchannelLogoutUris'>,
): Promise<boolean> {
  if (config.backchannelLogoutUris[audience] === undefined || session.logoutAudiences?.has(audience)) return true;
  return recordLogoutAudience(session.id, audience);
}
