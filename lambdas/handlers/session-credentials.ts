import type { AppConfig } from '../shared/config';
import { clearCookie, readCookie, SESSION_COOKIE, setCookie } from '../shared/cookies';
import { isWellFormedSecret } from '../shared/crypto';
import { type HttpEvent, header } from '../shared/http';

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
