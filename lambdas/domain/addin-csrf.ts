import { createHmac } from 'node:crypto';
import { safeEqual } from '../shared/crypto';

/**
 * The add-in's CSRF token: an HMAC of its session id under a server key. The page holds the token and
 * the browser holds the session id in an HttpOnly cookie; a forged request has the cookie but not the token.
 */
export function addinCsrfToken(sessionId: string, key: string): string {
  return createHmac('sha256', key).update(sessionId, 'utf8').digest('base64url');
}

export function isValidAddinCsrfToken(presented: string | undefined, sessionId: string, key: string): boolean {
  return presented !== undefined && safeEqual(presented, addinCsrfToken(sessionId, key));
}
