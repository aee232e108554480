import type { AppConfig } from '../shared/config';
import { InvalidRequest } from '../shared/errors';

const MAX_RETURN_TO_LENGTH = 2048;
const SCHEME = /^([a-zA-Z][a-zA-Z0-9+.-]*):/;
/** Paths are resolved against this placeholder only to be normalised; its origin never leaves this module. */
const PATH_BASE = 'https://guichet.invalid';

export type ReturnTo = { readonly kind: 'web'; readonly location: string } | { readonly kind: 'native'; readonly location: string };

/**
 * Where a login may send the browser back to. A URI with a scheme other than http(s) is a native app's
 * redirect and is checked against the allowed schemes before anything else; every other value must be a
 * web return address. Nothing else is accepted, so /auth/login can never serve as an open redirect.
 * The location is percent-encoded, as the URL parser serialises it: visible ASCII only, so it can be
 * stored and written into a `Location` header as is.
 */
export function loginReturnTo(raw: string | undefined, config: Pick<AppConfig, 'returnToOrigins' | 'nativeAppRedirectSchemes'>): ReturnTo {
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
  return { kind: 'native', location: withinLength(url.href) };
}

/**
 * A path on guichet's own origin, or a URL on one of the allowed origins, percent-encoded (visible ASCII
 * only). Paths are normalised too, dot segments resolved, so what is checked is what the browser gets.
 */
export function webReturnTo(raw: string | undefined, config: Pick<AppConfig, 'returnToOrigins'>): string {
  if (raw === undefined || raw === '') return '/';
  checkCharacters(raw);
  return withinLength(raw.startsWith('/') ? ownPath(raw) : allowedUrl(raw, config));
}

function ownPath(raw: string): string {
  // "//host" is protocol-relative and would leave the origin; dot segments must not rebuild one.
  if (raw.startsWith('//')) throw notPathOrUrl();
  const url = new URL(raw, PATH_BASE);
  const path = url.pathname + url.search + url.hash;
  if (path.startsWith('//')) throw notPathOrUrl();
  return path;
}

function allowedUrl(raw: string, config: Pick<AppConfig, 'returnToOrigins'>): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw notPathOrUrl();
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

const notPathOrUrl = () => new InvalidRequest('returnTo must be a path or an absolute URL');

function checkCharacters(raw: string): void {
  withinLength(raw);
  // Browsers strip or reinterpret these, which is how filters are bypassed. A lone surrogate is no
  // character at all: the URL parser would silently turn it into U+FFFD.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\]|\p{Cs}/u.test(raw)) throw new InvalidRequest('returnTo contains forbidden characters');
}

/** Checked on the raw value, before any parsing, and again once encoding may have lengthened it. */
function withinLength(value: string): string {
  if (value.length > MAX_RETURN_TO_LENGTH) throw new InvalidRequest('returnTo is too long');
  return value;
}
