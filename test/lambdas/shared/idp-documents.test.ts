import type { ServerMetadata } from 'openid-client';
import {
  cachedDocuments,
  IDP_CACHE_MAX_AGE_SECONDS,
  idpCacheItem,
  keysProblem,
  metadataProblem,
} from '../../../lambdas/shared/idp-documents';

const ISSUER = 'https://idp.example.com/realms/main';
const NOW = 1_900_000_000;
const metadata = {
  issuer: ISSUER,
  authorization_endpoint: `${ISSUER}/authorize`,
  token_endpoint: `${ISSUER}/token`,
  jwks_uri: `${ISSUER}/jwks`,
  end_session_endpoint: `${ISSUER}/logout`,
} as ServerMetadata;
const jwks = { keys: [{ kty: 'RSA', kid: 'k1', n: 'AQAB', e: 'AQAB' }] };
const item = (overrides: Record<string, unknown> = {}) => ({ ...idpCacheItem(ISSUER, metadata, jwks, NOW - 30), ...overrides });

describe('cachedDocuments', () => {
  it('gives back what the refresher cached, with the keys dated by their fetch for openid-client', () => {
    expect(cachedDocuments(item(), ISSUER, NOW)).toEqual({
      documents: { metadata, keys: { jwks, uat: NOW - 30 } },
      expiresAt: NOW - 30 + IDP_CACHE_MAX_AGE_SECONDS,
    });
  });

  it('finds nothing to use without an item', () => {
    expect(cachedDocuments(undefined, ISSUER, NOW)).toEqual({ miss: 'absent' });
  });

  it('refuses an item past its expiry while its row still exists (TTL deletion lags)', () => {
    const old = idpCacheItem(ISSUER, metadata, jwks, NOW - IDP_CACHE_MAX_AGE_SECONDS);
    expect(cachedDocuments(old, ISSUER, NOW)).toMatchObject({ miss: 'expired' });
    expect(cachedDocuments(old, ISSUER, NOW - 1)).toHaveProperty('documents');
  });

  it.each([
    [
      'another IdP (a poisoned copy)',
      { metadata: JSON.stringify({ ...metadata, issuer: 'https://evil.example' }) },
      /issuer is "https:\/\/evil.example"/,
    ],
    [
      'an authorization endpoint over http',
      { metadata: JSON.stringify({ ...metadata, authorization_endpoint: 'http://evil.example/authorize' }) },
      /authorization_endpoint/,
    ],
    ['no token endpoint', { metadata: JSON.stringify({ ...metadata, token_endpoint: undefined }) }, /token_endpoint/],
    ['a relative jwks_uri', { metadata: JSON.stringify({ ...metadata, jwks_uri: '/jwks' }) }, /jwks_uri/],
    ['a discovery document that is not JSON', { metadata: '<html>' }, /not a JSON object/],
    ['keys that are not a JWKS', { jwks: JSON.stringify({ keys: [{ kid: 'no-kty' }] }) }, /not an object with a list of keys/],
    ['no documents', { metadata: undefined }, /lacks its documents/],
    ['an expiry pushed past the refresher’s', { expiresAt: NOW + 10 * IDP_CACHE_MAX_AGE_SECONDS }, /dates/],
    [
      'a fetch dated in the future (keys trusted past their time)',
      { fetchedAt: NOW + 3600, expiresAt: NOW + 3600 + IDP_CACHE_MAX_AGE_SECONDS },
      /dates/,
    ],
  ])('refuses %s', (_, overrides, problem) => {
    expect(cachedDocuments(item(overrides), ISSUER, NOW)).toEqual({ miss: 'invalid', problem: expect.stringMatching(problem) });
  });

  it("tolerates a refresher's clock a little ahead of the reader's", () => {
    expect(cachedDocuments(idpCacheItem(ISSUER, metadata, jwks, NOW + 5), ISSUER, NOW)).toHaveProperty('documents');
  });
});

describe('metadataProblem', () => {
  it('compares issuers as URLs, as discovery does', () => {
    expect(metadataProblem({ ...metadata, issuer: 'https://IDP.example.com/realms/main' }, ISSUER)).toBeUndefined();
    expect(metadataProblem({ ...metadata, issuer: `${ISSUER}/other` }, ISSUER)).toMatch(/issuer/);
  });

  it('accepts http endpoints only for an http issuer (loopback, in local mode), on its own host', () => {
    const local = 'http://127.0.0.1:8788';
    const localMetadata = {
      issuer: local,
      authorization_endpoint: `${local}/auth`,
      token_endpoint: `${local}/token`,
      jwks_uri: `${local}/jwks`,
    };
    expect(metadataProblem(localMetadata, local)).toBeUndefined();
    expect(metadataProblem({ ...localMetadata, authorization_endpoint: 'http://evil.example/auth' }, local)).toMatch(
      /authorization_endpoint/,
    );
    expect(metadataProblem({ ...metadata, jwks_uri: 'http://idp.example.com/jwks' }, ISSUER)).toMatch(
      /jwks_uri is missing or not an https URL/,
    );
  });
});

describe('keysProblem', () => {
  it('wants an object whose keys each name their type', () => {
    expect(keysProblem(jwks)).toBeUndefined();
    expect(keysProblem({ keys: [] })).toBeUndefined();
    expect(keysProblem([jwks])).toBeDefined();
    expect(keysProblem({ keys: 'k1' })).toBeDefined();
  });
});
