import type { HttpEvent } from './http';

/**
 * A cookie guichet sets, by its plain name. Its name and scope as sent are decided here alone, for every writer
 * and reader: on https the name takes the `__Host-` prefix, which browsers accept only with `Secure`, `Path=/`
 * and no `Domain`, so that no sibling subdomain can plant or overwrite it (a planted login state signs a victim
 * in as the attacker). Local http keeps the plain name, which a browser would refuse to store with that prefix.
 */
export interface GuichetCookie {
  readonly name: string;
  readonly sameSite: 'Lax' | 'Strict' | 'None';
  /** CHIPS: kept apart per top-level site, for cookies sent from frames of other sites. */
  readonly partitioned?: boolean;
}

/** The session: first-party, sent on top-level navigations back from the IdP, never on another site's requests. */
export const SESSION_COOKIE: GuichetCookie = { name: 'guichet_session', sameSite: 'Lax' };
/**
 * Holds the login's `state` in the browser that started it: a callback whose state does not match the
 * cookie was not started here (login CSRF: an attacker's own code pasted into a victim's browser).
 */
export const LOGIN_STATE_COOKIE: GuichetCookie = { name: 'guichet_login_state', sameSite: 'Lax' };
/** The secret that binds a native login's continuation to the browser that did the login. */
export const NATIVE_BINDING_COOKIE: GuichetCookie = { name: 'guichet_native_continuation', sameSite: 'Lax' };
/** Sent by the add-in's frame, on another site than guichet's: SameSite=None, partitioned by that site. */
export const ADDIN_SESSION_COOKIE: GuichetCookie = { name: 'guichet_addons_sid', sameSite: 'None', partitioned: true };

const HOST_PREFIX = '__Host-';

/** The name the browser stores and sends: `__Host-` prefixed when guichet is served over https. */
export function cookieName(cookie: GuichetCookie, publicUrl: string): string {
  return isHttps(publicUrl) ? `${HOST_PREFIX}${cookie.name}` : cookie.name;
}

/**
 * The `Set-Cookie` value that stores `value` for `maxAgeSeconds`: HttpOnly, Path=/ and never a Domain; Secure on
 * https, and whenever SameSite=None asks for it (browsers drop a SameSite=None cookie that is not Secure).
 */
export function setCookie(cookie: GuichetCookie, value: string, maxAgeSeconds: number, publicUrl: string): string {
  const name = cookieName(cookie, publicUrl);
  const parts = [`${name}=${value}`, 'Path=/', `Max-Age=${maxAgeSeconds}`, 'HttpOnly', `SameSite=${cookie.sameSite}`];
  if (isHttps(publicUrl) || cookie.sameSite === 'None') parts.push('Secure');
  if (cookie.partitioned) parts.push('Partitioned');
  return parts.join('; ');
}

/** The `Set-Cookie` value that removes the cookie: the same name and scope, empty, Max-Age=0. */
export function clearCookie(cookie: GuichetCookie, publicUrl: string): string {
  return setCookie(cookie, '', 0, publicUrl);
}

/**
 * The value of the cookie the client sent, under the name `cookieName` gives it. A name sent twice is ambiguous
 * (on http, a sibling domain can plant a second one), so it counts as absent; so does an empty value.
 */
export function readCookie(event: HttpEvent, cookie: GuichetCookie, publicUrl: string): string | undefined {
  const name = cookieName(cookie, publicUrl);
  const found: string[] = [];
  for (const entry of event.cookies ?? []) {
    for (const pair of entry.split(';')) {
      const separator = pair.indexOf('=');
      if (separator < 0) continue;
      if (pair.slice(0, separator).trim() === name) found.push(pair.slice(separator + 1).trim());
    }
  }
  return found.length === 1 && found[0] !== '' ? found[0] : undefined;
}

function isHttps(publicUrl: string): boolean {
  return publicUrl.startsWith('https:');
}
