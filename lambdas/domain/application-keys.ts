import { type ApplicationKeysItem, claimKeysFetch, readApplicationKeys, saveApplicationKeys } from '../repositories/application-keys';
import type { ApplicationRecord } from '../repositories/applications';
import { appConfig } from '../shared/config';
import { sha256 } from '../shared/crypto';
import { logger } from '../shared/observability';
import { outboundFetch } from '../shared/outbound-fetch';
import { nowSeconds } from '../shared/time';
import { tracedCall } from '../shared/tracing';
import { operatorJwks, type PublicJwks, publishedSigningKeys } from './application-credentials';

/** How long a copy of an application's published keys is used: a key it withdraws is refused at most this long after. */
export const KEYS_MAX_AGE_SECONDS = 600;
/** How long a container uses the copy it read before it reads the shared copy again (one GetItem). */
const REREAD_SECONDS = 60;
/** An unknown `kid` fetches an application's keys again, but at most once a minute for all containers together. */
export const REFETCH_INTERVAL_SECONDS = 60;
/** With no copy at all, one container fetches at a time, and a failed fetch is tried again after this long. */
const ABSENT_RETRY_SECONDS = 10;
const CLOCK_SKEW_SECONDS = 60;
/** Containers remember the keys of this many applications at most. */
const MAX_HELD = 500;

/** The keys an assertion is verified with, and where they came from: a copy of the keys published at a `jwks_uri` has a date. */
export interface KeyCopy {
  readonly jwks: PublicJwks;
  /** Set for keys fetched from the application's `jwks_uri`. */
  readonly fetchedAt?: number;
}

export interface ApplicationKeySources {
  readCache(clientId: string): Promise<Partial<ApplicationKeysItem> | undefined>;
  claimFetch(clientId: string, uri: string, now: number, notAfter: number, expiresAt: number): Promise<boolean>;
  saveCache(item: Required<ApplicationKeysItem>): Promise<void>;
  /** The JWK Set at `uri`, fetched now (refusing what the SSRF guard refuses); throws if it cannot be had. */
  fetchJwks(uri: string): Promise<unknown>;
  now(): number;
}

/** What `prefetch` read of the shared copy: `item` undefined when there is none. */
export interface PrefetchedKeys {
  readonly item?: Partial<ApplicationKeysItem>;
}

/** The application's keys cannot be had: 401, as every failure of its client authentication. */
export class ApplicationKeysUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApplicationKeysUnavailable';
  }
}

/**
 * The public keys that verify an application's client assertions: those the operator registered on its record, or
 * those published at its `jwks_uri`. The latter are shared by every container through the `applicationKeys` table,
 * like the IdP's documents: a container holds the copy it read for a minute, fetches the keys itself only when no
 * copy of that URI is younger than `KEYS_MAX_AGE_SECONDS`, and, for a `kid` none of them has, fetches them again at
 * most once a minute per application (a conditional write decides, so that assertions with made-up `kid`s cannot
 * make guichet hammer the application's server).
 */
export class ApplicationKeys {
  private readonly held = new Map<string, { readonly uri: string; readonly copy: KeyCopy; readonly until: number }>();
  /** The keys registered on records, by the SHA-256 of their JSON text: checked once per container, not on every request. */
  private readonly registered = new Map<string, KeyCopy>();
  /** Applications last seen with registered keys: no shared copy is read for them alongside their record. */
  private readonly unpublished = new Map<string, true>();

  constructor(private readonly sources: ApplicationKeySources) {}

  /**
   * The shared copy of an application's published keys, read alongside the application itself when this container
   * holds none it can use and did not see registered keys on its record (which, read at the same time, says whether
   * it has a `jwks_uri`).
   */
  async prefetch(clientId: string): Promise<PrefetchedKeys | undefined> {
    const held = this.held.get(clientId);
    if (this.unpublished.has(clientId) || (held && this.sources.now() < held.until)) return undefined;
    return { item: await this.sources.readCache(clientId) };
  }

  /** The keys to verify this application's assertions with; `prefetched` is what `prefetch` read, if it read. */
  async current(application: ApplicationRecord, prefetched?: PrefetchedKeys): Promise<KeyCopy> {
    if (application.jwks !== undefined) {
      remember(this.unpublished, application.id, true);
      return this.registeredKeys(application.jwks);
    }
    this.unpublished.delete(application.id);
    const uri = application.jwksUri;
    if (uri === undefined) throw new ApplicationKeysUnavailable('the application has no keys');
    const held = this.held.get(application.id);
    if (held && held.uri === uri && this.sources.now() < held.until) return held.copy;
    const shared = this.usable(application.id, uri, prefetched ? prefetched.item : await this.sources.readCache(application.id));
    if (shared) return shared;
    const fetched = await this.fetchUnlessRecent(application.id, uri, 'absent');
    // Another container is fetching them: its copy may be there by now.
    const copy = fetched ?? this.usable(application.id, uri, await this.sources.readCache(application.id));
    if (!copy) throw new ApplicationKeysUnavailable('its keys are being fetched, or could not be fetched a moment ago');
    return copy;
  }

  /**
   * Newer keys, after an assertion named a `kid` that `used` lacks: fetched now if no container fetched them in the
   * last minute, else the shared copy if another container fetched newer ones; undefined when there are none newer.
   */
  async afterUnknownKey(application: ApplicationRecord, used: KeyCopy): Promise<KeyCopy | undefined> {
    const uri = application.jwksUri;
    if (uri === undefined || used.fetchedAt === undefined) return undefined;
    const fetched = await this.fetchUnlessRecent(application.id, uri, 'unknown_key');
    if (fetched) return fetched;
    const shared = this.usable(application.id, uri, await this.sources.readCache(application.id));
    return shared && shared.fetchedAt! > used.fetchedAt ? shared : undefined;
  }

  /** A shared copy for this URI, checked as it was before it was written, and young enough; held for a minute. */
  private usable(clientId: string, uri: string, item: Partial<ApplicationKeysItem> | undefined): KeyCopy | undefined {
    const now = this.sources.now();
    const { jwksUri, jwks, fetchedAt, expiresAt } = item ?? {};
    if (jwksUri !== uri || typeof jwks !== 'string' || typeof fetchedAt !== 'number' || typeof expiresAt !== 'number') return undefined;
    // Dates pushed forward would keep keys trusted past their time.
    if (expiresAt <= now || expiresAt > fetchedAt + KEYS_MAX_AGE_SECONDS || fetchedAt > now + CLOCK_SKEW_SECONDS) return undefined;
    const keys = publishedSigningKeys(parseJson(jwks));
    if (!keys) return undefined;
    const copy = { jwks: keys, fetchedAt };
    this.hold(clientId, uri, copy, Math.min(now + REREAD_SECONDS, expiresAt));
    return copy;
  }

  /** Keys fetched now, unless a container fetched them, or set out to, too recently for `reason`: undefined then. */
  private async fetchUnlessRecent(clientId: string, uri: string, reason: 'absent' | 'unknown_key'): Promise<KeyCopy | undefined> {
    const now = this.sources.now();
    const interval = reason === 'absent' ? ABSENT_RETRY_SECONDS : REFETCH_INTERVAL_SECONDS;
    if (!(await this.sources.claimFetch(clientId, uri, now, now - interval, now + KEYS_MAX_AGE_SECONDS))) return undefined;
    return this.fetch(clientId, uri, reason);
  }

  private async fetch(clientId: string, uri: string, reason: 'absent' | 'unknown_key'): Promise<KeyCopy> {
    const fetchedAt = this.sources.now();
    let keys: PublicJwks | undefined;
    try {
      keys = publishedSigningKeys(await this.sources.fetchJwks(uri));
    } catch (error) {
      logger.warn("could not fetch an application's keys", { application: clientId, reason, problem: (error as Error).message });
      throw new ApplicationKeysUnavailable(`its jwks_uri could not be fetched: ${(error as Error).message}`);
    }
    if (!keys) {
      logger.warn("an application's jwks_uri does not serve a JWK Set", { application: clientId, reason });
      throw new ApplicationKeysUnavailable('its jwks_uri does not serve a JWK Set');
    }
    logger.info("fetched an application's keys", { application: clientId, reason, kids: keys.keys.map((key) => key.kid) });
    const expiresAt = fetchedAt + KEYS_MAX_AGE_SECONDS;
    const jwks = JSON.stringify(keys);
    await this.sources.saveCache({ id: clientId, jwksUri: uri, jwks, fetchedAt, lastFetchAt: fetchedAt, lastFetchUri: uri, expiresAt });
    const copy = { jwks: keys, fetchedAt };
    this.hold(clientId, uri, copy, Math.min(fetchedAt + REREAD_SECONDS, expiresAt));
    return copy;
  }

  private hold(clientId: string, uri: string, copy: KeyCopy, until: number): void {
    remember(this.held, clientId, { uri, copy, until });
  }

  /** The keys on an application's record, written by the CLI after its checks: a record that fails them has no usable keys. */
  private registeredKeys(text: string): KeyCopy {
    const digest = sha256(text);
    const known = this.registered.get(digest);
    if (known) return known;
    const jwks = operatorJwks(parseJson(text));
    if ('problem' in jwks) throw new ApplicationKeysUnavailable(`its registered keys cannot be used: ${jwks.problem}`);
    const copy = { jwks };
    remember(this.registered, digest, copy);
    return copy;
  }
}

/** Sets an entry of a bounded map, forgetting the oldest beyond `MAX_HELD`. */
function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  if (map.size >= MAX_HELD) map.delete(map.keys().next().value!);
  map.set(key, value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A `jwks_uri` answers within this time, with at most this many bytes, or not at all. */
const FETCH_TIMEOUT_MS = 3000;
const MAX_JWKS_BYTES = 64 * 1024;

/** The JWK Set at an application's `jwks_uri`, through the SSRF guard: https, no special-use address unless local. */
async function fetchPublishedJwks(uri: string): Promise<unknown> {
  const policy = { allowLoopback: appConfig().allowLoopbackEndpoints };
  const request = {
    url: uri,
    headers: { accept: 'application/jwk-set+json, application/json' },
    timeoutMs: FETCH_TIMEOUT_MS,
    maxResponseBytes: MAX_JWKS_BYTES,
  };
  const operation = `GET ${URL.canParse(uri) ? new URL(uri).pathname : ''}`;
  const response = await tracedCall('applicationJwks', operation, () => outboundFetch(request, policy));
  if (response.status !== 200) throw new Error(`it answered ${response.status}`);
  const jwks = parseJson(response.body.toString('utf8'));
  if (jwks === undefined) throw new Error('it answered something other than JSON');
  return jwks;
}

let shared: ApplicationKeys | undefined;

/** This container's keys of applications; its function must be granted GetItem and UpdateItem on the applicationKeys table. */
export function applicationKeys(): ApplicationKeys {
  shared ??= new ApplicationKeys({
    readCache: readApplicationKeys,
    claimFetch: claimKeysFetch,
    saveCache: saveApplicationKeys,
    fetchJwks: fetchPublishedJwks,
    now: () => nowSeconds(),
  });
  return shared;
}
