import { isScopeToken } from '../domain/application-rules';

/**
 * Rules of the operator's settings that both the CDK app (at synth) and the handlers (at start) apply, so a
 * deployment is refused for the same reasons as a Lambda. Each says what is wrong, for the caller to prefix
 * with the name the operator typed (context key or environment variable), or returns nothing.
 */

/** Hosts where plain http stays on the machine: a development IdP or browser app. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

export const MAX_USER_TOKEN_TTL_SECONDS = 3600;
export const MAX_API_AUDIENCES = 20;
const MAX_AUDIENCE_LENGTH = 255;

const LOOPBACK_HOST_LIST = [...LOOPBACK_HOSTS].join(', ');

/** An upstream IdP issuer: https, or http on a loopback host (local mode's development IdP); no query or fragment. */
export function issuerProblem(issuer: string): string | undefined {
  const url = httpUrl(issuer);
  // URL drops a bare "?" or "#", so the raw text is checked too.
  if (!url || /[?#]/.test(issuer)) return 'must be an http(s) URL without query or fragment';
  if (!isSecureOrLoopback(url)) {
    return `must use https (plain http is only accepted on a loopback address: ${LOOPBACK_HOST_LIST})`;
  }
  return undefined;
}

/**
 * A browser origin allowed to call guichet with credentials. Browsers send `Origin` as exactly
 * scheme://host[:port], and it is compared as text, so anything else would never match or would match too much.
 */
export function corsOriginProblem(origin: string): string | undefined {
  if (origin.includes('*')) return `"${origin}" has a wildcard: list each origin`;
  if (origin === 'null') return '"null" is sent by sandboxed frames and local files, which anyone can make';
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return `"${origin}" is not an origin such as https://app.example.com`;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `"${origin}" is not an http(s) origin`;
  if (url.username || url.password) return `"${origin}" carries user information`;
  if (/[?#]/.test(origin)) return `"${origin}" has a query or fragment`;
  if (`${url.origin}/` === origin) return `"${origin}" ends with a slash: remove it`;
  if (url.pathname !== '/') return `"${origin}" has a path: an origin is scheme://host[:port] only`;
  if (!isSecureOrLoopback(url)) return `"${origin}" uses http: https is required off ${LOOPBACK_HOST_LIST}`;
  if (url.origin !== origin) return `"${origin}" is not written as browsers send it: ${url.origin}`;
  return undefined;
}

/** The product-API audiences (parsed JSON): audience URI → the scopes a user token for it may carry. */
export function apiAudiencesProblems(audiences: unknown): string[] {
  if (typeof audiences !== 'object' || audiences === null || Array.isArray(audiences)) {
    return [`must be a JSON object mapping audience URIs to arrays of scopes, got ${JSON.stringify(audiences)}`];
  }
  const entries = Object.entries(audiences);
  const problems: string[] = [];
  if (entries.length > MAX_API_AUDIENCES) {
    problems.push(`lists ${entries.length} audiences, at most ${MAX_API_AUDIENCES}`);
  }
  for (const [audience, scopes] of entries) {
    const audienceProblemText = audienceProblem(audience);
    if (audienceProblemText) problems.push(`audience "${audience}" ${audienceProblemText}`);
    const scopesProblemText = scopesProblem(scopes);
    if (scopesProblemText) problems.push(`scopes of "${audience}" ${scopesProblemText}`);
  }
  return problems;
}

export function userTokenTtlProblem(seconds: number): string | undefined {
  return seconds > MAX_USER_TOKEN_TTL_SECONDS
    ? `must be at most ${MAX_USER_TOKEN_TTL_SECONDS}: user tokens are meant to be short-lived, got ${seconds}`
    : undefined;
}

function audienceProblem(audience: string): string | undefined {
  if (audience.length > MAX_AUDIENCE_LENGTH) return `is longer than ${MAX_AUDIENCE_LENGTH} characters`;
  // URL would silently drop surrounding spaces, tabs and newlines; the token's aud would keep them.
  const url = /[\s\x00-\x1f\x7f]/.test(audience) ? undefined : httpUrl(audience);
  if (!url) return 'is not an absolute https URI';
  if (audience.includes('#')) return 'has a fragment';
  if (!isSecureOrLoopback(url)) return `must use https (http is only accepted on ${LOOPBACK_HOST_LIST})`;
  return undefined;
}

function scopesProblem(scopes: unknown): string | undefined {
  if (!Array.isArray(scopes) || scopes.length === 0) return 'must be a non-empty array of scopes';
  const invalid = scopes.find((scope) => typeof scope !== 'string' || !isScopeToken(scope));
  if (invalid !== undefined) {
    return `has ${JSON.stringify(invalid)}, not a scope (printable ASCII but space, " and \\, up to 128 characters)`;
  }
  const repeated = scopes.find((scope, index) => scopes.indexOf(scope) !== index);
  if (repeated !== undefined) return `lists "${repeated}" twice`;
  return undefined;
}

function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined;
  } catch {
    return undefined;
  }
}

function isSecureOrLoopback(url: URL): boolean {
  return url.protocol === 'https:' || LOOPBACK_HOSTS.has(url.hostname);
}
