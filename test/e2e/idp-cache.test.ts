import { cachedDocuments } from '../../lambdas/shared/idp-documents';
import type { LocalGuichet } from '../../local/start';
import { TestBrowser } from '../support/browser';
import { type FakeIdp, startFakeIdp } from '../support/fake-idp';
import { startTestGuichet, storeOf } from '../support/local-guichet';
import type { LocalStore } from '../support/local-store';

/**
 * The shared IdP cache in the synthesized stack: the deploy's custom resource fills it before the API serves, a
 * cold `/auth/login` then redirects without a round trip to the IdP, the callback verifies the ID token with the
 * cached keys, and the EventBridge schedule refreshes the copy. The IdP is scriptable and counts its requests.
 */
const CLIENT_ID = 'guichet-cold-path';
let idp: FakeIdp;
let guichet: LocalGuichet;
let store: LocalStore;
let nonceOfNextLogin = '';

beforeAll(async () => {
  idp = await startFakeIdp(async () => ({ access_token: 'at', token_type: 'Bearer', id_token: await idToken() }));
  guichet = await startTestGuichet({ OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: 'cold-path-secret' });
  store = storeOf(guichet);
}, 60_000);
afterAll(async () => {
  await guichet?.close();
  await idp?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const idToken = () => idp.sign({ iss: idp.issuer, aud: CLIENT_ID, sub: 'noor', iat: now(), exp: now() + 300, nonce: nonceOfNextLogin });
const functionOf = (prefix: string) => [...guichet.functions].find(([logicalId]) => logicalId.startsWith(prefix))![1];

describe('the shared IdP cache, as deployed', () => {
  it("holds the IdP's documents as soon as the API serves: the deploy's custom resource filled it", async () => {
    const item = await store.get('idpCache', idp.issuer);
    expect(cachedDocuments(item, idp.issuer, now())).toMatchObject({
      documents: {
        metadata: { issuer: idp.issuer, authorization_endpoint: `${idp.issuer}/authorize` },
        keys: { jwks: { keys: [idp.publicJwk] } },
      },
    });
  });

  it('lets a cold /auth/login redirect, and its callback log in, without asking the IdP for its documents', async () => {
    const login = functionOf('AuthLogin');
    const callback = functionOf('AuthCallback');
    expect([login.environmentCount, callback.environmentCount]).toEqual([0, 0]);
    idp.requests.length = 0;

    const browser = new TestBrowser();
    const started = await browser.request(`${guichet.publicUrl}/auth/login?returnTo=%2Fhome`);
    expect(started.status).toBe(302);
    const authorization = new URL(started.headers.get('location')!);
    expect(`${authorization.origin}${authorization.pathname}`).toBe(`${idp.issuer}/authorize`);
    expect(idp.requests).toEqual([]);
    expect(login.environmentCount).toBe(1);

    nonceOfNextLogin = authorization.searchParams.get('nonce')!;
    const finished = await browser.request(`${guichet.publicUrl}/auth/callback?code=code&state=${authorization.searchParams.get('state')}`);
    expect(finished.status).toBe(302);
    expect(finished.headers.get('location')).toBe('/home');
    // Only the code's redemption: the discovery document and the keys came from the cache.
    expect(idp.requests).toEqual(['POST /token']);
    expect(guichet.log.metrics.filter((record) => 'IdpMetadataFetched' in record || 'IdpKeysFetched' in record)).toEqual([]);
  });

  it('is refreshed by its EventBridge rule, every 2 minutes, through the refresher', async () => {
    const refreshes = guichet.schedules.rules.filter((rule) => rule.targetArns.includes(functionOf('IdpCacheRefresh').definition.arn));
    expect(refreshes).toHaveLength(1);
    const [schedule] = refreshes;
    expect(schedule.intervalMs).toBe(120_000);
    expect(schedule.targetArns).toEqual([functionOf('IdpCacheRefresh').definition.arn]);

    await store.remove('idpCache', idp.issuer);
    idp.requests.length = 0;
    expect(await schedule.run()).toEqual([{ outcome: 'result', payload: undefined }]);
    expect(idp.requests).toEqual(['GET /.well-known/openid-configuration', 'GET /jwks']);
    expect(cachedDocuments(await store.get('idpCache', idp.issuer), idp.issuer, now())).toHaveProperty('documents');
  });
});
