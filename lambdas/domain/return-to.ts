import type { AppConfig } from '../shared/config';
import { InvalidRequest } from '../shared/errors';

const MAX_RETURN_TO_LENGTH = 2048;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;

export type ReturnTo =
  | { readonly kind: 'web'; readonly location: string }
  | { readonly kind: 'native'; readonly location: string };

/**
 * Where a login may send the browser back to. A URI with a scheme other than http(s) is a native app's
 * redirect and is checked against the allowed schemes before anything else; every other value must be a
 * web return address. Nothing else is accepted, so /auth/login can never serve as an open redirect.
 */
export function loginReturnTo(
  raw: string | undefined,
  config: Pick<AppConfig, 'returnToOrigins' | 'nativeAppRedirectSchemes'>,
): ReturnTo {
  const scheme = raw?.match(SCHEME)?.[1].toLowerCase();
  if (raw === undefined || scheme === undefined || scheme === 'http' || scheme === 'https') {
    return { kind: 'web', location: webReturnTo(raw, config) };
  }
  if (!config.nativeAppRedirectSchemes.includes(scheme)) {
    throw new InvalidRequest(`returnTo scheme ${scheme}: is not allowed`);
  }
  checkCharacters(raw);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidRequest('returnTo is not a valid URI');
  }
  if (url.username || url.password) throw new InvalidRequest('returnTo must not carry user information');
  if (raw.includes('#')) throw new InvalidRequest('returnTo must not carry a fragment');
  return { kind: 'native', location: url.href };
}

/** A path on guichet's own origin, or a URL on one of the allowed origins. */
export function webReturnTo(raw: string | undefined, config: Pick<AppConfig, 'returnToOrigins'>): string {
  if (raw === undefined || raw === '') return '/';
  checkCharacters(raw);
  if (raw.startsWith('/')) {
    // "//host" is protocol-relative and would leave the origin; dot segments must not rebuild one.
    if (raw.startsWith('//') || new URL(raw, 'https://guichet.invalid').pathname.startsWith('//')) {
      throw new InvalidRequest('returnTo must be a path or an absolute URL');
    }
    return raw;
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new InvalidRequest('returnTo must be a path or an absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new InvalidRequest(`returnTo scheme ${url.protocol} is not allowed`);
  }
  if (url.username || url.password) throw new InvalidRequest('returnTo must not carry user information');
  if (!config.returnToOrigins.includes(url.origin)) {
    throw new InvalidRequest(`returnTo origin ${url.origin} is not allowed`);
  }
  return url.href;
}

function checkCharacters(raw: string): void {
  if (raw.length > MAX_RETURN_TO_LENGTH) throw new InvalidRequest('returnTo is too long');
  // Browsers strip or reinterpret these, which is how filters are bypassed.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\]/.test(raw)) throw new InvalidRequest('returnTo contains forbidden characters');
}
