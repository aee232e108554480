import { clearCookie, readCookie, setCookie, type GuichetCookie } from '../shared/cookies';
import type { AppConfig } from '../shared/config';
import { header, type HttpEvent } from '../shared/http';

/** First-party: sent on top-level navigations back from the IdP, never on another site's requests. */
export const SESSION_COOKIE: GuichetCookie = { name: 'guichet_session', sameSite: 'Lax' };

/** Every secret guichet issues is 32 random bytes in base64url; anything else is not worth a lookup. */
const SECRET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export function isWellFormedSecret(value: string | undefined): value is string {
  return value !== undefined && SECRET_FORMAT.test(value);
}

/** The session token a request presents: `Authorization: Bearer` (native apps) or the session cookie. */
export function presentedSessionToken(event: HttpEvent, config: Pick<AppConfig, 'publicUrl'>): string | undefined {
  const authorization = header(event, 'authorization');
  const bearer = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1];
  const token = bearer ?? readCookie(event, SESSION_COOKIE, config.publicUrl);
  return isWellFormedSecret(token) ? token : undefined;
}

export function sessionCookie(token: string, config: Pick<AppConfig, 'publicUrl' | 'sessionTtlSeconds'>): string {
  return setCookie(SESSION_COOKIE, token, config.sessionTtlSeconds, config.publicUrl);
}

export function clearedSessionCookie(config: Pick<AppConfig, 'publicUrl'>): string {
  return clearCookie(SESSION_COOKIE, config.publicUrl);
}
