import { setTimeout as sleep } from 'node:timers/promises';
import { recordJti, releaseJti } from '../repositories/logout-jtis';
import { sessionIdsBy } from '../repositories/sessions';
import { appConfig } from '../shared/config';
import { sha256 } from '../shared/crypto';
import { logger } from '../shared/observability';
import { type IdpLogout, recordIdpLogout } from './idp-logout-races';
import { type LogoutClaims, LogoutTokenRejected } from './logout-token';
import { endSession } from './session-end';
import { issuerScopedKey } from './sessions';

/**
 * Carries out a validated logout: the jti is recorded first (one conditional write: a replay, even a
 * concurrent one, ends nothing), then the logout itself, so that no session is opened for that IdP session or
 * user from then on, then the sessions are found through the `sid` or `sub` index, never by scanning, and
 * ended as every session ends (session-end.ts). When a session was opened for it just before, the indexes may not list it yet: they are looked
 * through again once their lag allowance has passed (`pause`). With `sid` and `sub`, only sessions of that user
 * are ended. If ending fails, the jti is released so that the IdP's retry is not refused as a replay. Returns
 * how many sessions ended.
 */
export async function endSessionsOf(claims: LogoutClaims, pause: (ms: number) => Promise<unknown> = sleep): Promise<number> {
  const jtiId = sha256(issuerScopedKey(claims.issuer, claims.jti));
  if (!(await recordJti(jtiId, claims.deadAt))) throw new LogoutTokenRejected('replayed', 'this logout token was already used');
  try {
    const subjectKey = claims.sub === undefined ? undefined : issuerScopedKey(claims.issuer, claims.sub);
    const logout: IdpLogout =
      claims.sid !== undefined
        ? { kind: 'sid', scopedKey: issuerScopedKey(claims.issuer, claims.sid), issuedAt: claims.issuedAt }
        : { kind: 'sub', scopedKey: subjectKey!, issuedAt: claims.issuedAt };
    const secondLookIn = await recordIdpLogout(logout, appConfig().sessionTtlSeconds);
    let ended = await endIndexedSessions(logout, claims.sid !== undefined ? subjectKey : undefined);
    if (secondLookIn > 0) {
      await pause(secondLookIn);
      ended += await endIndexedSessions(logout, claims.sid !== undefined ? subjectKey : undefined);
    }
    logger.info('sessions ended by back-channel logout', { ended, bySid: claims.sid !== undefined, secondLook: secondLookIn > 0 });
    return ended;
  } catch (error) {
    await releaseJti(jtiId);
    throw error;
  }
}

/** Ends the sessions the index lists for this logout (only those of `subjectKey` when given); returns how many. */
async function endIndexedSessions(logout: IdpLogout, subjectKey: string | undefined): Promise<number> {
  const ids = await sessionIdsBy(logout.kind === 'sid' ? 'byIdpSession' : 'bySubject', logout.scopedKey);
  const endings = await Promise.all(ids.map((id) => endSession(id, 'backchannel', subjectKey)));
  return endings.filter(Boolean).length;
}
