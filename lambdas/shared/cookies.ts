import type { HttpEvent } from './http';

export interface CookieOptions {
  readonly path: string;
  readonly maxAgeSeconds: number;
  readonly sameSite: 'Lax' | 'Strict' | 'None';
  readonly secure: boolean;
  readonly partitioned?: boolean;
}

export function serializeCookie(name: string, value: string, options: CookieOptions): string {
  const parts = [
    `${name}=${value}`,
    `Path=${options.path}`,
    `Max-Age=${options.maxAgeSeconds}`,
    'HttpOnly',
    `SameSite=${options.sameSite}`,
  ];
  if (options.secure) parts.push('Secure');
  if (options.partitioned) parts.push('Partitioned');
  return parts.join('; ');
}

export function expiredCookie(name: string, options: Omit<CookieOptions, 'maxAgeSeconds'>): string {
  return serializeCookie(name, '', { ...options, maxAgeSeconds: 0 });
}

/**
 * The value of a cookie sent by the client. A name sent twice is ambiguous (a sibling domain can plant a
 * second one), so it counts as absent.
 */
export function readCookie(event: HttpEvent, name: string): string | undefined {
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

/** First-party cookie scope: sent on top-level navigations back from the IdP, Secure whenever guichet is on https. */
export function laxCookieScope(publicUrl: string, path: string) {
  return { path, sameSite: 'Lax', secure: publicUrl.startsWith('https:') } as const;
}
