import { Metrics } from '@aws-lambda-powertools/metrics';
import type { ServerMetadata } from 'openid-client';
import { REREAD_SECONDS, SharedIdpDocuments } from '../../../lambdas/domain/shared-idp-documents';
import { dependencyFailure, markDependency } from '../../../lambdas/shared/dependencies';
import { IDP_CACHE_MAX_AGE_SECONDS, idpCacheItem } from '../../../lambdas/shared/idp-documents';
import { logger } from '../../../lambdas/shared/observability';

const ISSUER = 'https://idp.example.com';
const metadata = (authorize = `${ISSUER}/authorize`) =>
  ({ issuer: ISSUER, authorization_endpoint: authorize, token_endpoint: `${ISSUER}/token`, jwks_uri: `${ISSUER}/jwks` }) as ServerMetadata;
const jwks = { keys: [{ kty: 'RSA', kid: 'k1', n: 'AQAB', e: 'AQAB' }] };
const discovered = { ...metadata(), authorization_endpoint: `${ISSUER}/discovered` } as ServerMetadata;
const unreachable = () =>
  markDependency(new TypeError('fetch failed', { cause: Object.assign(new Error('connect'), { code: 'ECONNREFUSED' }) }), 'idp');

let now: number;
let stored: Record<string, unknown> | undefined;
let readCache: jest.Mock;
let discover: jest.Mock;
let documents: SharedIdpDocuments;
let warnings: jest.SpyInstance;
let counted: jest.SpyInstance;

beforeEach(() => {
  now = 1_900_000_000;
  stored = idpCacheItem(ISSUER, metadata(), jwks, now - 10) as unknown as Record<string, unknown>;
  readCache = jest.fn(async () => stored);
  discover = jest.fn(async () => discovered);
  documents = new SharedIdpDocuments({ issuer: ISSUER, readCache, discover, now: () => now });
  warnings = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  counted = jest.spyOn(Metrics.prototype, 'addMetric');
});
afterEach(() => jest.restoreAllMocks());

const countedNames = () => counted.mock.calls.map(([name]) => name);

describe('the shared IdP cache, read by a login or callback container', () => {
  it('reads the cached copy once, however many ask at once, and serves it without asking the IdP', async () => {
    const atInit = documents.current();
    const [first, second] = await Promise.all([documents.current(), documents.current()]);
    expect(await atInit).toBe(first);
    expect(first).toEqual({ metadata: metadata(), keys: { jwks, uat: now - 10 } });
    expect(second).toBe(first);
    now += REREAD_SECONDS - 1;
    await documents.current();
    expect(readCache).toHaveBeenCalledTimes(1);
    expect(readCache).toHaveBeenCalledWith(ISSUER);
    expect(discover).not.toHaveBeenCalled();
    expect(countedNames()).toEqual([]);
  });

  it('reads the shared copy again a minute later, and takes what the refresher wrote since', async () => {
    await documents.current();
    stored = idpCacheItem(ISSUER, metadata(`${ISSUER}/moved`), jwks, now + 30) as unknown as Record<string, unknown>;
    now += REREAD_SECONDS;
    expect((await documents.current()).metadata.authorization_endpoint).toBe(`${ISSUER}/moved`);
    expect(readCache).toHaveBeenCalledTimes(2);
  });

  it('does not keep a copy past its expiry, even within the minute', async () => {
    stored = idpCacheItem(ISSUER, metadata(), jwks, now - IDP_CACHE_MAX_AGE_SECONDS + 5) as unknown as Record<string, unknown>;
    await documents.current();
    now += 5;
    stored = undefined;
    expect(await documents.current()).toEqual({ metadata: discovered });
    expect(readCache).toHaveBeenCalledTimes(2);
  });

  it.each([
    ['absent', () => undefined, 'absent'],
    ['expired', () => idpCacheItem(ISSUER, metadata(), jwks, now - IDP_CACHE_MAX_AGE_SECONDS), 'expired'],
    [
      'poisoned with another authorization endpoint over http',
      () => idpCacheItem(ISSUER, metadata('http://evil.example/authorize'), jwks, now),
      'invalid',
    ],
    [
      'poisoned with another issuer',
      () => idpCacheItem('https://evil.example', { ...metadata(), issuer: 'https://evil.example' }, jwks, now),
      'invalid',
    ],
  ])('fetches the discovery document itself when the copy is %s, and says so', async (_, item, miss) => {
    stored = item() as Record<string, unknown> | undefined;
    expect(await documents.current()).toEqual({ metadata: discovered });
    expect(discover).toHaveBeenCalledTimes(1);
    expect(warnings).toHaveBeenCalledWith(expect.stringContaining('fetching the discovery document'), expect.objectContaining({ miss }));
    expect(countedNames()).toEqual(['IdpMetadataFetched']);
  });

  it('fetches it itself when the cache cannot be read, and keeps that for a minute', async () => {
    readCache.mockRejectedValue(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    expect(await documents.current()).toEqual({ metadata: discovered });
    expect(warnings).toHaveBeenCalledWith(expect.any(String), { miss: 'unreadable', problem: 'throttled' });
    now += REREAD_SECONDS - 1;
    await documents.current();
    expect(discover).toHaveBeenCalledTimes(1);
  });

  it('fails as unavailable, naming both causes, when the copy is absent and the IdP cannot be reached; then tries again', async () => {
    stored = undefined;
    discover.mockRejectedValueOnce(unreachable());
    documents.current().catch(() => undefined);
    const error = await documents.current().catch((failure: unknown) => failure);
    expect(dependencyFailure(error)).toMatchObject({
      dependency: 'idp',
      kind: 'unreachable',
      answer: {
        status: 503,
        code: 'temporarily_unavailable',
        description: "the identity provider's metadata is not cached and the identity provider could not be reached",
        headers: { 'Retry-After': '5' },
      },
    });
    expect(await documents.current()).toEqual({ metadata: discovered });
    expect(discover).toHaveBeenCalledTimes(2);
  });
});

describe('the keys openid-client verified the ID token with', () => {
  it('says nothing when they were the cached ones', async () => {
    const current = await documents.current();
    documents.keysUsed(current, { jwks, uat: now - 10 });
    documents.keysUsed(current, undefined);
    expect(countedNames()).toEqual([]);
  });

  it.each([
    ['lacked the token’s key', 10, 'unknown_key'],
    ['were too old for openid-client', 300, 'expired'],
  ])('counts a fetch when the cached keys %s, and keeps the newer keys for this container', async (_, age, reason) => {
    stored = idpCacheItem(ISSUER, metadata(), jwks, now - age) as unknown as Record<string, unknown>;
    const current = await documents.current();
    const rotated = { jwks: { keys: [...jwks.keys, { kty: 'RSA', kid: 'k2', n: 'AQAB', e: 'AQAB' }] }, uat: now };
    documents.keysUsed(current, rotated);
    expect(warnings).toHaveBeenCalledWith(expect.stringContaining('keys'), { reason });
    expect(countedNames()).toEqual(['IdpKeysFetched']);
    expect((await documents.current()).keys).toEqual(rotated);
  });

  it('counts a fetch when the container had no cached keys (its documents were discovered)', async () => {
    stored = undefined;
    const current = await documents.current();
    documents.keysUsed(current, { jwks, uat: now });
    expect(warnings).toHaveBeenLastCalledWith(expect.stringContaining('keys'), { reason: 'absent' });
  });
});
