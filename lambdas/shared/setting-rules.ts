import { isScopeToken } from './scopes';

/**
 * The rules of the operator's settings (lambdas/settings.ts names each setting's), which the CDK app applies at
 * synth and the Lambdas at init, so that a deployment is refused for the same reasons, in the same words, as a
 * Lambda. Each says what is wrong, for the reader to prefix with the name the operator typed (context key or
 * environment variable), or returns nothing.
 */

/** Hosts where plain http stays on the machine: a development IdP or browser app. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', '[::1]', 'localhost']);

export const MAX_USER_TOKEN_TTL_SECONDS = 3600;
/** A week: the delivery queue keeps a message 14 days, so a delivery always outlives its retries. */
export const MAX_LOGOUT_DELIVERY_MAX_AGE_SECONDS = 604_800;
export const MAX_API_AUDIENCES = 20;
const MAX_AUDIENCE_LENGTH = 255;

const LOOPBACK_HOST_LIST = [...LOOPBACK_HOSTS].join(', ');

/** Schemes a browser would execute or that would leave guichet's control: never a native-app target. */
export const FORBIDDEN_NATIVE_SCHEMES: ReadonlySet<string> = new Set([
  'http',
  'https',
  'javascript',
  'data',
  'file',
  'blob',
  'about',
  'vbscript',
  'ftp',
  'ws',
  'wss',
]);

/** An http(s) URL without query or fragment, such as guichet's public URL. */
export function httpUrlProblem(text: string): string | undefined {
  // URL drops a bare "?" or "#", so the raw text is checked too.
  return httpUrl(text) && !/[?#]/.test(text) ? undefined : 'must be an http(s) URL without query or fragment';
}

/** An upstream IdP issuer: https, or http on a loopback host (local mode's development IdP); no query or fragment. */
export function issuerProblem(issuer: string): string | undefined {
  const urlProblem = httpUrlProblem(issuer);
  if (urlProblem) return urlProblem;
  if (!isSecureOrLoopback(new URL(issuer))) {
    return `must use https (plain http is only accepted on a loopback address: ${LOOPBACK_HOST_LIST})`;
  }
  return undefined;
}

/** An origin a web login may return to, written as browsers write it: scheme://host[:port]. */
export function bareOriginProblem(origin: string): string | undefined {
  const url = httpUrl(origin);
  return url && url.origin === origin ? undefined : `"${origin}" is not a bare origin such as https://app.example.com`;
}

/** A custom URL scheme a native app may be sent back to: RFC 3986's, and none a browser handles itself. */
export function nativeSchemeProblem(scheme: string): string | undefined {
  if (!/^[A-Za-z][A-Za-z0-9+.-]*$/.test(scheme)) return `"${scheme}" is not an RFC 3986 scheme`;
  if (FORBIDDEN_NATIVE_SCHEMES.has(scheme.toLowerCase())) return `"${scheme}" is not a custom scheme: a browser handles it itself`;
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

/** An audience registered with its back-channel logout endpoint: the object form of an API_AUDIENCES value. */
export interface ApiAudienceRegistration {
  readonly scopes: readonly string[];
  readonly backchannel_logout_uri?: string;
}

/** An API_AUDIENCES value: the scopes alone, or the scopes and a back-channel logout endpoint. */
export type ApiAudienceValue = readonly string[] | ApiAudienceRegistration;

/** API_AUDIENCES: product-API audience URI → its value. */
export type ApiAudiences = Readonly<Record<string, ApiAudienceValue>>;

/** What may call loopback endpoints: local mode (ALLOW_LOOPBACK_ENDPOINTS), never a deployed stack. */
export interface EndpointRules {
  readonly allowLoopback: boolean;
}

/**
 * The product-API audiences (parsed JSON): audience URI → the scopes a user token for it may carry, or
 * `{"scopes": [...], "backchannel_logout_uri": "..."}` for an API that wants to hear of the sessions that end.
 */
export function apiAudiencesProblems(audiences: unknown, rules: EndpointRules = { allowLoopback: false }): string[] {
  if (typeof audiences !== 'object' || audiences === null || Array.isArray(audiences)) {
    return [`must be a JSON object mapping audience URIs to arrays of scopes, got ${JSON.stringify(audiences)}`];
  }
  const entries = Object.entries(audiences);
  const problems: string[] = [];
  if (entries.length > MAX_API_AUDIENCES) {
    problems.push(`lists ${entries.length} audiences, at most ${MAX_API_AUDIENCES}`);
  }
  for (const [audience, value] of entries) {
    const audienceProblemText = audienceProblem(audience);
    if (audienceProblemText) problems.push(`audience "${audience}" ${audienceProblemText}`);
    problems.push(...audienceValueProblems(audience, value, rules));
  }
  return problems;
}

/** The scopes of an API_AUDIENCES value of either form (a valid one). */
export function audienceScopes(value: ApiAudienceValue): readonly string[] {
  return Array.isArray(value) ? value : (value as ApiAudienceRegistration).scopes;
}

/** The back-channel logout endpoint of an API_AUDIENCES value (a valid one), if it registers one. */
export function audienceLogoutUri(value: ApiAudienceValue): string | undefined {
  return Array.isArray(value) ? undefined : (value as ApiAudienceRegistration).backchannel_logout_uri;
}

const REGISTRATION_KEYS = ['scopes', 'backchannel_logout_uri'];

function audienceValueProblems(audience: string, value: unknown, rules: EndpointRules): string[] {
  if (Array.isArray(value) || typeof value !== 'object' || value === null) {
    const problem = scopesProblem(value);
    return problem ? [`scopes of "${audience}" ${problem}`] : [];
  }
  const problems: string[] = [];
  const unknown = Object.keys(value).filter((key) => !REGISTRATION_KEYS.includes(key));
  if (unknown.length > 0) problems.push(`"${audience}" has unknown keys ${unknown.join(', ')}: only ${REGISTRATION_KEYS.join(', ')}`);
  const { scopes, backchannel_logout_uri: logoutUri } = value as Record<string, unknown>;
  const scopesProblemText = scopesProblem(scopes);
  if (scopesProblemText) problems.push(`scopes of "${audience}" ${scopesProblemText}`);
  if (logoutUri !== undefined) {
    const logoutUriProblemText = logoutUriProblem(logoutUri, rules);
    if (logoutUriProblemText) problems.push(`backchannel_logout_uri of "${audience}" ${logoutUriProblemText}`);
  }
  return problems;
}

/**
 * A product's back-channel logout endpoint: https, as OpenID Connect Back-Channel Logout asks; plain http only on a
 * loopback host, and only where loopback endpoints are allowed (local mode). The endpoint is fetched with the SSRF
 * guard of outbound-fetch.ts besides, which refuses private and special-use addresses whatever the name.
 */
export function logoutUriProblem(uri: unknown, rules: EndpointRules): string | undefined {
  if (typeof uri !== 'string') return `must be a URL, got ${JSON.stringify(uri)}`;
  const url = /[\s\x00-\x1f\x7f]/.test(uri) ? undefined : httpUrl(uri);
  if (!url) return `is not an absolute https URL: "${uri}"`;
  if (uri.includes('#')) return 'has a fragment';
  if (url.username || url.password) return 'carries user information';
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (loopback && !rules.allowLoopback) return 'is on a loopback host, which only local mode (allowLoopbackEndpoints) may call';
  if (url.protocol !== 'https:' && !loopback) return `must use https (http is only accepted on ${LOOPBACK_HOST_LIST} in local mode)`;
  return undefined;
}

export function userTokenTtlProblem(seconds: number): string | undefined {
  return seconds > MAX_USER_TOKEN_TTL_SECONDS
    ? `must be at most ${MAX_USER_TOKEN_TTL_SECONDS}: user tokens are meant to be short-lived, got ${seconds}`
    : undefined;
}

export function logoutDeliveryMaxAgeProblem(seconds: number): string | undefined {
  return seconds > MAX_LOGOUT_DELIVERY_MAX_AGE_SECONDS
    ? `must be at most ${MAX_LOGOUT_DELIVERY_MAX_AGE_SECONDS} (a week; the delivery queue keeps messages 14 days), got ${seconds}`
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
