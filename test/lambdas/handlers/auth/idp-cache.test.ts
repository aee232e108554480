import type { CryptoKey } from 'jose';
import type { ServerMetadata } from 'openid-client';
import { idpCacheItem } from '../../../../lambdas/shared/idp-documents';
import { httpEvent } from '../../../support/api-event';
import { type FakeIdp, startFakeIdp } from '../../../support/fake-idp';
import { type Integration, invoke, startIntegration } from '../../../support/integration';

/**
 * The login and callback handlers against the shared IdP cache in the local DynamoDB engine, with a scriptable
 * IdP that records every request it gets. Each "cold container" is the handler modules loaded afresh.
 */
const CLIENT_ID = 'guichet-cache';
let idp: FakeIdp;
let integration: Integration;
let nonceOfNextLogin = '';
/** The IdP's signing key, once it has rotated. */
let rotated: { readonly kid: string; readonly key: CryptoKey } | undefined;

type Handler = typeof import('../../../../lambdas/handlers/auth/login').handler;
interface Container {
  readonly login: Handler;
  readonly callback: Handler;
  /** The metrics this container counted, from its init on. */
  counted(): string[];
}

beforeAll(async () => {
  idp = await startFakeIdp(async () => ({ access_token: 'at', token_type: 'Bearer', id_token: await idToken() }));
  integration = await startIntegration({ OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: 'secret' });
});
afterAll(async () => {
  await integration?.guichet.close();
  await idp?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const idToken = () =>
  idp.sign(
    { iss: idp.issuer, aud: CLIENT_ID, sub: 'iris', iat: now(), exp: now() + 300, nonce: nonceOfNextLogin },
    rotated && { kid: rotated.kid },
    rotated?.key,
  );
const metadata = (overrides: Partial<ServerMetadata> = {}): ServerMetadata => ({
  issuer: idp.issuer,
  authorization_endpoint: `${idp.issuer}/authorize`,
  token_endpoint: `${idp.issuer}/token`,
  jwks_uri: `${idp.issuer}/jwks`,
  ...overrides,
});
/** What the refresher writes, as it was `age` seconds ago. */
const cache = (age: number, documents: ServerMetadata = metadata()) =>
  integration.store.put('idpCache', { ...idpCacheItem(idp.issuer, documents, { keys: [idp.publicJwk] }, now() - age) });

/** A cold container of the login and callback functions: the handler modules loaded afresh, which starts their read of the cache. */
async function coldContainer(): Promise<Container> {
  let container: Container | undefined;
  await jest.isolateModulesAsync(async () => {
    const { Metrics } = await import('@aws-lambda-powertools/metrics');
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    container = {
      login: (await import('../../../../lambdas/handlers/auth/login')).handler,
      callback: (await import('../../../../lambdas/handlers/auth/callback')).handler,
      counted: () => addMetric.mock.calls.map(([name]) => name),
    };
  });
  return container!;
}

/** A login then its callback; returns both answers. */
async function logIn(container: Container) {
  const started = await invoke(container.login, httpEvent({ path: '/auth/login' }));
  const authorization = new URL(started.headers!.Location as string);
  const state = authorization.searchParams.get('state')!;
  nonceOfNextLogin = authorization.searchParams.get('nonce')!;
  const finished = await invoke(
    container.callback,
    httpEvent({
      path: '/auth/callback',
      query: new URLSearchParams({ code: 'code', state }).toString(),
      cookies: [`guichet_login_state=${state}`],
    }),
  );
  return { authorization, finished };
}

describe('login and callback with a warm shared IdP cache', () => {
  it('a cold container redirects to the IdP and verifies the ID token without asking the IdP for its documents', async () => {
    await cache(120);
    idp.requests.length = 0;
    const container = await coldContainer();
    const { authorization, finished } = await logIn(container);
    expect(`${authorization.origin}${authorization.pathname}`).toBe(`${idp.issuer}/authorize`);
    expect(finished.statusCode).toBe(302);
    // The code redemption is the only call: no discovery, no JWKS.
    expect(idp.requests).toEqual(['POST /token']);
  });

  it('after a key rotation at the IdP, fetches its keys at once for the unknown kid, then keeps them', async () => {
    await cache(120);
    const container = await coldContainer();
    rotated = { kid: 'idp-key-2', key: await idp.rotateKey('idp-key-2') };
    idp.requests.length = 0;
    expect((await logIn(container)).finished.statusCode).toBe(302);
    expect(idp.requests).toEqual(['POST /token', 'GET /jwks']);
    expect(container.counted()).toContain('IdpKeysFetched');

    idp.requests.length = 0;
    expect((await logIn(container)).finished.statusCode).toBe(302);
    expect(idp.requests).toEqual(['POST /token']);
  });
});

describe('a shared copy that cannot be trusted', () => {
  it.each([
    ['poisoned to send logins to another host', () => cache(10, metadata({ authorization_endpoint: 'http://evil.example/authorize' }))],
    ['of another issuer', () => cache(10, metadata({ issuer: 'https://evil.example' }))],
    ['past its expiry, though its row is still there', () => cache(3600)],
    ['absent', () => integration.store.remove('idpCache', idp.issuer)],
  ])('%s: the container discovers the IdP itself, says so, and logs in as usual', async (_, arrange) => {
    await arrange();
    idp.requests.length = 0;
    const container = await coldContainer();
    const { authorization, finished } = await logIn(container);
    expect(authorization.origin).toBe(idp.issuer);
    expect(finished.statusCode).toBe(302);
    expect(idp.requests).toEqual(['GET /.well-known/openid-configuration', 'POST /token', 'GET /jwks']);
    expect(container.counted()).toEqual(expect.arrayContaining(['IdpMetadataFetched', 'IdpKeysFetched']));
  });
});
