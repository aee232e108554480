import { sha256 } from '../shared/crypto';

/**
 * The `sid` claim: a public id of the session, so that a resource server can drop the tokens of a session it
 * learns has ended. Derived from the session's key, never the key itself, which is the lookup of its token.
 */
export function publicSessionId(sessionId: string): string {
  return sha256(`guichet public session id\0${sessionId}`);
}
