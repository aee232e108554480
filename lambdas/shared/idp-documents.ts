import type { ExportedJWKSCache, JWKS, ServerMetadata } from 'openid-client';

/**
 * What guichet needs of its IdP to start and finish a login: the discovery document, and the JWKS that verifies
 * ID tokens. The refresher Lambda keeps a copy of both in the `idpCache` table, one item per issuer; the login
 * and callback functions read that copy instead of asking the IdP on their cold path. A copy is checked on every
 * read as it was before it was written: a stale or tampered item must not send a login anywhere else.
 */

/** How often the refresher runs: openid-client ignores imported keys fetched 300 s ago or more, so well within that. */
export const IDP_CACHE_REFRESH_MINUTES = 2;
/** How long a copy is trusted: through several missed refreshes, not through an outage of the refresher. */
export const IDP_CACHE_MAX_AGE_SECONDS = 15 * 60;

export interface IdpDocuments {
  readonly metadata: ServerMetadata;
  /** The IdP's keys and when they were fetched, as openid-client imports them; none when discovered on the spot. */
  readonly keys?: ExportedJWKSCache;
}

/** The cached item. The documents are kept as the JSON text that was fetched, parsed and checked on every read. */
export interface IdpCacheItem {
  /** The issuer, exactly as configured. */
  readonly id: string;
  readonly metadata: string;
  readonly jwks: string;
  /** When the refresher started fetching them (epoch seconds). */
  readonly fetchedAt: number;
  readonly expiresAt: number;
}

export function idpCacheItem(issuer: string, metadata: ServerMetadata, jwks: JWKS, fetchedAt: number): IdpCacheItem {
  return {
    id: issuer,
    metadata: JSON.stringify(metadata),
    jwks: JSON.stringify(jwks),
    fetchedAt,
    expiresAt: fetchedAt + IDP_CACHE_MAX_AGE_SECONDS,
  };
}

/** Why a read found no copy to use: none, one past its expiry, or one that fails the checks. */
export type IdpCacheMiss = 'absent' | 'expired' | 'invalid';

export type CachedDocuments =
  | { readonly documents: IdpDocuments; readonly expiresAt: number }
  | { readonly miss: IdpCacheMiss; readonly problem?: string };

/** The documents of a cached item for `issuer`, if they can be trusted at `now` (expiry is checked here: TTL deletion lags). */
export function cachedDocuments(
  item: { readonly [field in keyof IdpCacheItem]?: unknown } | undefined,
  issuer: string,
  now: number,
): CachedDocuments {
  if (!item) return { miss: 'absent' };
  const { metadata, jwks, fetchedAt, expiresAt } = item;
  if (typeof fetchedAt !== 'number' || typeof expiresAt !== 'number' || typeof metadata !== 'string' || typeof jwks !== 'string') {
    return { miss: 'invalid', problem: 'the item lacks its documents or their dates' };
  }
  if (expiresAt <= now) return { miss: 'expired', problem: `fetched at ${new Date(fetchedAt * 1000).toISOString()}` };
  if (expiresAt > fetchedAt + IDP_CACHE_MAX_AGE_SECONDS || fetchedAt > now + CLOCK_SKEW_SECONDS) {
    // Dates pushed forward would keep a copy, and its keys, trusted past their time.
    return { miss: 'invalid', problem: 'its dates are not those the refresher writes' };
  }
  const parsedMetadata = parseJson(metadata);
  const parsedJwks = parseJson(jwks);
  const problem = metadataProblem(parsedMetadata, issuer) ?? keysProblem(parsedJwks);
  if (problem) return { miss: 'invalid', problem };
  return { documents: { metadata: parsedMetadata as ServerMetadata, keys: { jwks: parsedJwks as JWKS, uat: fetchedAt } }, expiresAt };
}

/** Between the refresher's clock and a reader's. */
const CLOCK_SKEW_SECONDS = 60;

const REQUIRED_ENDPOINTS = ['authorization_endpoint', 'token_endpoint', 'jwks_uri'] as const;

/**
 * Why guichet cannot use this discovery document for `issuer`, or undefined: its issuer must be the configured one
 * (compared as URLs, as openid-client's discovery compares them), and the endpoints a login uses must be absolute
 * https URLs; an http issuer (which the configuration allows on loopback alone) may use http on its own host only.
 */
export function metadataProblem(metadata: unknown, issuer: string): string | undefined {
  if (!isObject(metadata)) return 'the discovery document is not a JSON object';
  if (typeof metadata.issuer !== 'string' || normalizedUrl(metadata.issuer) !== normalizedUrl(issuer)) {
    return `the discovery document's issuer is ${JSON.stringify(metadata.issuer)}, not ${issuer}`;
  }
  const issuerUrl = new URL(issuer);
  const acceptable = (url: URL) =>
    url.protocol === 'https:' || (issuerUrl.protocol === 'http:' && url.protocol === 'http:' && url.hostname === issuerUrl.hostname);
  for (const endpoint of REQUIRED_ENDPOINTS) {
    const value = metadata[endpoint];
    if (typeof value !== 'string' || !URL.canParse(value) || !acceptable(new URL(value))) {
      return `the discovery document's ${endpoint} is missing or not an https URL`;
    }
  }
  return undefined;
}

/** Why this is not a JWKS openid-client can take, or undefined. */
export function keysProblem(jwks: unknown): string | undefined {
  if (!isObject(jwks) || !Array.isArray(jwks.keys) || !jwks.keys.every((key) => isObject(key) && typeof key.kty === 'string')) {
    return 'the JWKS is not an object with a list of keys';
  }
  return undefined;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function normalizedUrl(text: string): string | undefined {
  return URL.canParse(text) ? new URL(text).href : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
