import type { ExportedJWKSCache, ServerMetadata } from 'openid-client';
import { readIdpCache } from '../repositories/idp-cache';
import { appConfig } from '../shared/config';
import { markUncached } from '../shared/dependencies';
import { cachedDocuments, type IdpDocuments } from '../shared/idp-documents';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { discoverIdp } from '../shared/oidc';
import { nowSeconds } from '../shared/time';

/** How long a container uses the documents it read before it reads the shared copy again (one GetItem). */
export const REREAD_SECONDS = 60;
/** openid-client ignores imported keys fetched this long ago or more, and fetches the IdP's JWKS itself. */
const OPENID_CLIENT_KEYS_MAX_AGE_SECONDS = 300;

export interface IdpDocumentSources {
  readonly issuer: string;
  readCache(issuer: string): Promise<Readonly<Record<string, unknown>> | undefined>;
  /** The IdP's own discovery document, fetched now. */
  discover(): Promise<ServerMetadata>;
  now(): number;
}

/**
 * A container's view of the IdP's documents, for the login and callback functions: the shared cache's copy,
 * read at init (`prepareAtInit`) and again a minute later, so that no cold start waits for the IdP. Only when that copy is absent,
 * expired or fails its checks (or cannot be read) does the container fetch the discovery document itself, saying
 * so in a warning and the `IdpMetadataFetched` metric; if the IdP cannot be reached either, the request fails as
 * unavailable, naming both causes.
 */
export class SharedIdpDocuments {
  private held?: { readonly documents: IdpDocuments; readonly until: number };
  private loading?: Promise<IdpDocuments>;

  constructor(private readonly sources: IdpDocumentSources) {}

  current(): Promise<IdpDocuments> {
    if (this.held && this.sources.now() < this.held.until) return Promise.resolve(this.held.documents);
    this.loading ??= this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  /**
   * After an ID token was checked with `documents`: when openid-client fetched the IdP's keys itself (the cached
   * keys were too old, or lacked the token's `kid`), says so, and keeps the newer keys for this container.
   */
  keysUsed(documents: IdpDocuments, used: ExportedJWKSCache | undefined): void {
    if (!used || used.uat === documents.keys?.uat) return;
    const reason = !documents.keys
      ? 'absent'
      : this.sources.now() - documents.keys.uat >= OPENID_CLIENT_KEYS_MAX_AGE_SECONDS
        ? 'expired'
        : 'unknown_key';
    logger.warn("fetched the identity provider's keys on the request path", { reason });
    countMetric(MetricName.IdpKeysFetched);
    if (this.held && (this.held.documents.keys?.uat ?? 0) < used.uat) {
      this.held = { ...this.held, documents: { ...this.held.documents, keys: used } };
    }
  }

  private async load(): Promise<IdpDocuments> {
    const { issuer, now } = this.sources;
    const cached = await this.sources.readCache(issuer).then(
      (item) => cachedDocuments(item, issuer, now()),
      (error: unknown) => ({ miss: 'unreadable', problem: (error as Error).message }) as const,
    );
    if ('documents' in cached) {
      this.held = { documents: cached.documents, until: Math.min(now() + REREAD_SECONDS, cached.expiresAt) };
      return cached.documents;
    }
    logger.warn('the shared IdP cache has no usable copy: fetching the discovery document from the identity provider', {
      miss: cached.miss,
      problem: cached.problem,
    });
    countMetric(MetricName.IdpMetadataFetched);
    const metadata = await this.sources
      .discover()
      .catch((error: unknown) => Promise.reject(markUncached(error, "the identity provider's metadata")));
    const documents = { metadata };
    this.held = { documents, until: now() + REREAD_SECONDS };
    return documents;
  }
}

let shared: SharedIdpDocuments | undefined;

/** This container's view of the shared IdP cache; its function must be granted GetItem on the idpCache table. */
export function sharedIdpDocuments(): SharedIdpDocuments {
  shared ??= new SharedIdpDocuments({
    issuer: appConfig().oidcIssuer,
    readCache: readIdpCache,
    discover: async () => (await discoverIdp()).serverMetadata(),
    now: nowSeconds,
  });
  return shared;
}
