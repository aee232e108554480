import type { AppConfig } from '../shared/config';
import { InvalidRequest } from '../shared/errors';

const MAX_RETURN_TO_LENGTH = 2048;

/**
 * Where a web login may send the browser back to: a path on guichet's own origin, or a URL on one of the
 * allowed origins. Anything else is refused, so /auth/login can never serve as an open redirect.
 */
export function webReturnTo(raw: string | undefined, config: Pick<AppConfig, 'returnToOrigins'>): string {
  if (raw === undefined || raw === '') return '/';
  if (raw.length > MAX_RETURN_TO_LENGTH) throw new InvalidRequest('returnTo is too long');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) throw new InvalidRequest('returnTo contains forbidden characters');
  if (raw.startsWith('/')) {
    // "//host" and "/\host" are protocol-relative: they would leave the origin.
    if (raw.startsWith('//')) throw new InvalidRequest('returnTo must be a path or an absolute URL');
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
