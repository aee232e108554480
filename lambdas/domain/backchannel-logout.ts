import { recordJti, releaseJti } from '../repositories/logout-jtis';
import { sessionIdsBy } from '../repositories/sessions';
import { sha256 } from '../shared/crypto';
import { logger } from '../shared/observability';
import { LogoutTokenRejected, type LogoutClaims } from './logout-token';
import { endSession } from './session-end';
import { issuerScopedKey } from './sessions';

/**
 * Carries out a validated logout: the jti is recorded first (one conditional write: a replay, even a
 * concurrent one, ends nothing), then the sessions are found through the `sid` or `sub` index, never by
 * scanning, and ended as every session ends (session-end.ts). With `sid` and `sub`, only sessions of that user are
 * ended. If ending fails, the
 * jti is released so that the IdP's retry is not refused as a replay. Returns how many sessions ended.
 */
export async function endSessionsOf(claims: LogoutClaims): Promise<number> {
  const jtiId = sha256(issuerScopedKey(claims.issuer, claims.jti));
  if (!(await recordJti(jtiId, claims.deadAt))) throw new LogoutTokenRejected('replayed', 'this logout token was already used');
  try {
    const subjectKey = claims.sub === undefined ? undefined : issuerScopedKey(claims.issuer, claims.sub);
    const ids =
      claims.sid !== undefined
        ? await sessionIdsBy('byIdpSession', issuerScopedKey(claims.issuer, claims.sid))
        : await sessionIdsBy('bySubject', subjectKey!);
    const endings = await Promise.all(ids.map((id) => endSession(id, 'backchannel', claims.sid !== undefined ? subjectKey : undefined)));
    const ended = endings.filter(Boolean).length;
    logger.info('sessions ended by back-channel logout', { ended, bySid: claims.sid !== undefined });
    return ended;
  } catch (error) {
    await releaseJti(jtiId);
    throw error;
  }
}
