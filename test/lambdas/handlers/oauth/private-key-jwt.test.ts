import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { decodeJwt, type JWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import { httpEvent } from '../../../support/api-event';
import { assertionKey, basicAuthorization, clientAssertion, storedApplication, storedKeysApplication } from '../../../support/applications';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';

/**
 * private_key_jwt at the token endpoint, in local mode's policy (ALLOW_LOOPBACK_ENDPOINTS): keys registered on the
 * application, or published at a `jwks_uri` served here on loopback.
 */
const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/oauth/token').handler;
let time: typeof import('../../../../lambdas/shared/time');
let addressCounter = 0;

/** The applications' key server: what it serves at each path, and the requests it got. */
let keyServer: Server;
let keyServerUrl: string;
const served = new Map<string, () => { status: number; body: string }>();
const fetched: string[] = [];

beforeAll(async () => {
  keyServer = createServer((request, response) => {
    fetched.push(request.url ?? '');
    const answer = served.get(request.url ?? '')?.() ?? { status: 404, body: '{}' };
    response.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body);
  });
  keyServer.listen(0, '127.0.0.1');
  await once(keyServer, 'listening');
  keyServerUrl = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}`;
  integration = await startIntegration({ ALLOW_LOOPBACK_ENDPOINTS: 'true', TOKEN_FAILURE_LIMIT: '1000' });
  ({ handler } = await import('../../../../lambdas/handlers/oauth/token'));
  time = await import('../../../../lambdas/shared/time');
});
afterAll(async () => {
  keyServer?.closeAllConnections();
  keyServer?.close();
  await integration?.guichet.close();
});
afterEach(() => jest.restoreAllMocks());

const issuer = () => integration.guichet.publicUrl;

function tokenRequest(form: Record<string, string>, headers: Record<string, string> = {}) {
  const event = httpEvent({
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  event.requestContext.http.sourceIp = `198.51.100.${(addressCounter += 1) % 250}`;
  return invoke(handler, event);
}

const withAssertion = (assertion: string, extra: Record<string, string> = {}) =>
  tokenRequest({ grant_type: 'client_credentials', client_assertion_type: ASSERTION_TYPE, client_assertion: assertion, ...extra });

/** Serves a JWK Set at a new path of the key server; returns its URI. */
function publish(keys: JWK[], path = `/jwks-${Math.random().toString(36).slice(2)}.json`): string {
  served.set(path, () => ({ status: 200, body: JSON.stringify({ keys }) }));
  return `${keyServerUrl}${path}`;
}
const fetchesOf = (uri: string) => fetched.filter((path) => path === new URL(uri).pathname).length;

async function expectRefused(result: Awaited<ReturnType<typeof tokenRequest>>) {
  expect(result.statusCode).toBe(401);
  expect(jsonBody(result)).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
  expect(result.headers!['WWW-Authenticate']).toBeUndefined();
}

/** openid-client configured as a client of guichet would be: discovery, and PrivateKeyJwt with the client's key. */
const clientConfiguration = (clientId: string, key: Awaited<ReturnType<typeof assertionKey>>) =>
  client.discovery(new URL(issuer()), clientId, undefined, client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid }), {
    execute: [client.allowInsecureRequests],
  });

describe('a standard client library', () => {
  it.each(['RS256', 'ES256', 'Ed25519'] as const)('gets a token with openid-client’s PrivateKeyJwt, a registered %s key', async (alg) => {
    const key = await assertionKey(alg);
    const clientId = await storedKeysApplication(integration.store, { jwks: { keys: [key.publicJwk] } }, { scopes: ['read'] });
    const tokens = await client.clientCredentialsGrant(await clientConfiguration(clientId, key), { scope: 'read' });
    expect(tokens).toMatchObject({ token_type: 'bearer', scope: 'read', expires_in: 3600 });
    expect(decodeJwt(tokens.access_token)).toMatchObject({ sub: clientId, client_id: clientId, scope: 'read', iss: issuer() });
  });

  it('gets a token with keys published at a jwks_uri, fetched once and kept for every container', async () => {
    const key = await assertionKey();
    const uri = publish([key.publicJwk]);
    const clientId = await storedKeysApplication(integration.store, { jwksUri: uri });
    const configuration = await clientConfiguration(clientId, key);
    await client.clientCredentialsGrant(configuration);
    await client.clientCredentialsGrant(configuration);
    expect(fetchesOf(uri)).toBe(1);
    const shared = await integration.store.get('applicationKeys', clientId);
    expect(shared).toMatchObject({ jwksUri: uri, fetchedAt: expect.any(Number), expiresAt: (shared!.fetchedAt as number) + 600 });
    expect(JSON.parse(shared!.jwks as string)).toEqual({ keys: [key.publicJwk] });
  });
});

describe('what is refused with 401 invalid_client, counted as a failed client authentication', () => {
  let key: Awaited<ReturnType<typeof assertionKey>>;
  let clientId: string;

  beforeAll(async () => {
    key = await assertionKey();
    clientId = await storedKeysApplication(integration.store, { jwks: { keys: [key.publicJwk] } });
  });

  it('accepts an assertion once: a replay is refused, and the jti is remembered as a hash until the assertion is dead', async () => {
    const assertion = await clientAssertion(key, clientId, issuer(), { jti: 'once-only' });
    expect((await withAssertion(assertion)).statusCode).toBe(200);
    await expectRefused(await withAssertion(assertion));
    const remembered = await integration.store.all('clientAssertionJtis');
    expect(JSON.stringify(remembered)).not.toContain('once-only');
    expect(remembered.some((item) => item.expiresAt === (decodeJwt(assertion).exp as number) + 30)).toBe(true);
  });

  it('of 20 concurrent requests with one assertion, exactly one gets a token', async () => {
    const assertion = await clientAssertion(key, clientId, issuer());
    const results = await Promise.all(Array.from({ length: 20 }, () => withAssertion(assertion)));
    expect(results.filter((result) => result.statusCode === 200)).toHaveLength(1);
    expect(results.filter((result) => result.statusCode === 401)).toHaveLength(19);
  });

  it('takes the token endpoint as aud too', async () => {
    expect((await withAssertion(await clientAssertion(key, clientId, `${issuer()}/oauth/token`))).statusCode).toBe(200);
  });

  const now = () => Math.floor(Date.now() / 1000);
  it.each([
    ['a wrong aud', () => clientAssertion(key, clientId, 'https://another-server.example')],
    ['an expired exp', () => clientAssertion(key, clientId, issuer(), { iat: now() - 600, exp: now() - 60 })],
    ['an exp more than 5 minutes ahead', () => clientAssertion(key, clientId, issuer(), { exp: now() + 360 })],
    ['no exp', () => clientAssertion(key, clientId, issuer(), { exp: undefined })],
    ['no jti', () => clientAssertion(key, clientId, issuer(), { jti: undefined })],
    ['an nbf in the future', () => clientAssertion(key, clientId, issuer(), { nbf: now() + 120 })],
    ['an iss other than the client', () => clientAssertion(key, clientId, issuer(), { iss: 'app_AAAAAAAAAAAAAAAAAAAAAA' })],
    ['an unknown kid', () => clientAssertion(key, clientId, issuer(), {}, { kid: 'not-registered' })],
    ['another key under the registered kid', async () => clientAssertion(await assertionKey('RS256', key.kid), clientId, issuer())],
    [
      'an HMAC signature keyed with the public key',
      () =>
        new SignJWT({ iss: clientId, sub: clientId, aud: issuer(), exp: now() + 60, jti: 'hmac' })
          .setProtectedHeader({ alg: 'HS256', kid: key.kid })
          .sign(Buffer.from(JSON.stringify(key.publicJwk))),
    ],
    [
      'alg none',
      async () =>
        `${Buffer.from(JSON.stringify({ alg: 'none', kid: key.kid })).toString('base64url')}.${Buffer.from(
          JSON.stringify({ iss: clientId, sub: clientId, aud: issuer(), exp: now() + 60, jti: 'none' }),
        ).toString('base64url')}.`,
    ],
  ])('refuses %s', async (_, assertion) => {
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    const before = (await integration.store.all('clientAssertionJtis')).length;
    await expectRefused(await withAssertion(await assertion()));
    expect(addMetric.mock.calls.map(([name]) => name)).toContain('ClientAuthenticationFailed');
    expect(await integration.store.all('clientAssertionJtis')).toHaveLength(before);
  });

  it('refuses an inactive application, and records nothing', async () => {
    const inactiveKey = await assertionKey();
    const inactive = await storedKeysApplication(integration.store, { jwks: { keys: [inactiveKey.publicJwk] } }, { active: false });
    const before = (await integration.store.all('clientAssertionJtis')).length;
    await expectRefused(await withAssertion(await clientAssertion(inactiveKey, inactive, issuer())));
    expect(await integration.store.all('clientAssertionJtis')).toHaveLength(before);
  });

  it('refuses an assertion for an application with a secret, and a secret for an application with keys', async () => {
    const withSecret = await storedApplication(integration.store);
    await expectRefused(await withAssertion(await clientAssertion(key, withSecret.clientId, issuer())));
    const authorization = basicAuthorization(clientId, withSecret.clientSecret);
    const basic = await tokenRequest({ grant_type: 'client_credentials' }, { authorization });
    expect(basic.statusCode).toBe(401);
  });

  it('refuses a client authenticating with an assertion and a secret at once', async () => {
    const assertion = await clientAssertion(key, clientId, issuer());
    const both = await withAssertion(assertion, { client_secret: 'x'.repeat(43) });
    expect(both.statusCode).toBe(400);
    expect(jsonBody(both).error).toBe('invalid_request');
    const basic = await withAssertion(assertion);
    expect(basic.statusCode).toBe(200);
  });
});

describe('keys published at a jwks_uri', () => {
  it('an unknown kid fetches the keys again, at most once a minute per application: a key added since is then accepted', async () => {
    const first = await assertionKey();
    const uri = publish([first.publicJwk]);
    const clientId = await storedKeysApplication(integration.store, { jwksUri: uri });
    expect((await withAssertion(await clientAssertion(first, clientId, issuer()))).statusCode).toBe(200);
    expect(fetchesOf(uri)).toBe(1);

    // The application adds a key: within the minute, an assertion signed with it is refused without a fetch.
    const second = await assertionKey();
    publish([first.publicJwk, second.publicJwk], new URL(uri).pathname);
    await expectRefused(await withAssertion(await clientAssertion(second, clientId, issuer())));
    expect(fetchesOf(uri)).toBe(1);

    const start = time.nowSeconds();
    const clock = jest.spyOn(time, 'nowSeconds').mockReturnValue(start + 61);
    const signedLater = await clientAssertion(second, clientId, issuer(), { iat: start + 61, exp: start + 120 });
    expect((await withAssertion(signedLater)).statusCode).toBe(200);
    expect(fetchesOf(uri)).toBe(2);

    // Made-up kids, one after another: one more fetch a minute at most.
    for (let i = 0; i < 5; i += 1) {
      const madeUp = await clientAssertion(second, clientId, issuer(), { iat: start + 62, exp: start + 120 }, { kid: `made-up-${i}` });
      await expectRefused(await withAssertion(madeUp));
    }
    expect(fetchesOf(uri)).toBe(2);
    clock.mockReturnValue(start + 130);
    const aMinuteLater = await clientAssertion(second, clientId, issuer(), { iat: start + 130, exp: start + 180 }, { kid: 'made-up' });
    await expectRefused(await withAssertion(aMinuteLater));
    expect(fetchesOf(uri)).toBe(3);
  });

  it('uses no keys fetched from another URI: a jwks_uri changed by the operator is fetched at once', async () => {
    const key = await assertionKey();
    const old = publish([key.publicJwk]);
    const clientId = await storedKeysApplication(integration.store, { jwksUri: old });
    expect((await withAssertion(await clientAssertion(key, clientId, issuer()))).statusCode).toBe(200);
    const moved = publish([]);
    const record = await integration.store.get('applications', clientId);
    await integration.store.put('applications', { ...record, jwksUri: moved });
    await expectRefused(await withAssertion(await clientAssertion(key, clientId, issuer())));
    expect(fetchesOf(moved)).toBe(1);
  });

  it.each([
    ['answers 404', { status: 404, body: '{"keys": []}' }],
    ['answers something other than JSON', { status: 200, body: '<html>' }],
    ['answers more than 64 KiB', { status: 200, body: JSON.stringify({ keys: [], padding: 'x'.repeat(70_000) }) }],
    ['serves no JWK Set', { status: 200, body: '[]' }],
  ])('refuses an assertion when the jwks_uri %s', async (_, answer) => {
    const key = await assertionKey();
    const path = `/broken-${Math.random().toString(36).slice(2)}`;
    served.set(path, () => answer);
    const clientId = await storedKeysApplication(integration.store, { jwksUri: `${keyServerUrl}${path}` });
    await expectRefused(await withAssertion(await clientAssertion(key, clientId, issuer())));
  });

  it('ignores the keys of a JWK Set that cannot verify assertions (private, symmetric, for encryption)', async () => {
    const key = await assertionKey();
    const uri = publish([
      { kty: 'oct', k: 'c2VjcmV0', kid: 'shared' },
      { ...key.publicJwk, use: 'enc' },
    ]);
    const clientId = await storedKeysApplication(integration.store, { jwksUri: uri });
    await expectRefused(await withAssertion(await clientAssertion(key, clientId, issuer())));
    const hmac = new SignJWT({ iss: clientId, sub: clientId, aud: issuer(), exp: Math.floor(Date.now() / 1000) + 60, jti: 'hmac-shared' });
    await expectRefused(await withAssertion(await hmac.setProtectedHeader({ alg: 'HS256', kid: 'shared' }).sign(Buffer.from('secret'))));
  });
});
