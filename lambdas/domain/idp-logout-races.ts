import { deleteSession, idpLoginId, noteIdpLogout, noteSignIn, type SessionRecord } from '../repositories/sessions';
import { sha256 } from '../shared/crypto';
import { InvalidGrant } from '../shared/errors';
import { logger } from '../shared/observability';

/**
 * The races between a login and the IdP's back-channel logout of the same IdP session or user. Two of them could
 * leave a session alive after the logout:
 * - a callback whose code was redeemed just before the IdP session ended writes its session after the logout
 *   looked for sessions to end;
 * - the logout finds sessions through the `sid` and `sub` indexes, which DynamoDB updates after the write
 *   (eventually consistent, "within 1 second" normally): a session written just before can be missed.
 * Each IdP session and user has an item beside the sessions (`noteSignIn`, `noteIdpLogout`: single-item
 * conditional writes, so they are ordered): the callback notes every session it opens, after writing it, unless
 * the IdP ended that session first; the logout notes the end, and learns when a session was last opened for it.
 */

/** How long after a session is written the indexes may still miss it: twice what DynamoDB states as normal. */
export const INDEX_LAG_ALLOWANCE_MS = 2_000;

/**
 * Called by the session's creation once the session is written (in that order: a logout that comes after this
 * note then learns of the session, one that came before refuses it). When the IdP logged out the session's `sid`,
 * or its `sub` at or after the ID token was issued (`issuedAt`, its `iat`), the session is deleted and the login
 * refused: the person signs in again.
 */
export async function refuseIfLoggedOutMeanwhile(record: SessionRecord, issuedAt: number, sessionTtlSeconds: number, now = Date.now()) {
  const expiresAt = Math.floor(now / 1000) + sessionTtlSeconds;
  const notes = [noteSignIn(idpLoginId('sub', sha256(record.subjectKey)), now, expiresAt, issuedAt)];
  if (record.idpSessionKey !== undefined) notes.push(noteSignIn(idpLoginId('sid', sha256(record.idpSessionKey)), now, expiresAt));
  if ((await Promise.all(notes)).every(Boolean)) return;
  await deleteSession(record.id);
  logger.info('session refused: the identity provider logged it out while it was opened', { session: record.id });
  throw new InvalidGrant('the identity provider ended this session while guichet was opening it; sign in again');
}

/** The IdP session (`sid`) or the user (`sub`) a logout token ends, by its issuer-scoped index key. */
export interface IdpLogout {
  readonly kind: 'sid' | 'sub';
  readonly scopedKey: string;
  /** The logout token's `iat`. */
  readonly issuedAt: number;
}

/**
 * Notes the IdP's logout before any session is looked for, so that a session opened from now on is refused.
 * Returns how long to wait before looking through the indexes a second time: 0, unless a session was opened for
 * this IdP session or user within the index lag allowance, which the first look may have missed.
 */
export async function recordIdpLogout(logout: IdpLogout, sessionTtlSeconds: number, now = Date.now()): Promise<number> {
  const id = idpLoginId(logout.kind, sha256(logout.scopedKey));
  const signedInAt = await noteIdpLogout(id, logout.issuedAt, Math.floor(now / 1000) + sessionTtlSeconds);
  return signedInAt === undefined ? 0 : Math.max(0, signedInAt + INDEX_LAG_ALLOWANCE_MS - now);
}
