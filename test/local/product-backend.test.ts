import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { ProductBackend } from '../../local/playground/product-backend';

/** The playground's product backend: the logout tokens it accepts (jose, against guichet's JWKS), and what it drops. */
const AUDIENCE = 'https://api.product.example';
let jwksServer: Server;
let backendServer: Server;
let issuer: string;
let backendUrl: string;
let key: CryptoKey;
let backend: ProductBackend;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  key = pair.privateKey;
  const jwks = { keys: [{ ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  jwksServer = createServer((_, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
  await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', () => resolve()));
  issuer = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}`;
  backend = new ProductBackend({ issuer, audience: AUDIENCE });
  backendServer = createServer((incoming, response) => void backend.receive(incoming, response));
  await new Promise<void>((resolve) => backendServer.listen(0, '127.0.0.1', () => resolve()));
  backendUrl = `http://127.0.0.1:${(backendServer.address() as AddressInfo).port}/api/backchannel-logout`;
});
afterAll(() => {
  for (const server of [jwksServer, backendServer]) {
    server.closeAllConnections();
    server.close();
  }
});

const logoutToken = (claims: Record<string, unknown> = {}, typ = 'logout+jwt') =>
  new SignJWT({
    events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
    sid: 'sid-1',
    sub: 'ana',
    jti: `${Math.random()}`,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'k1', typ })
    .setIssuer(issuer)
    .setAudience(String(claims.aud ?? AUDIENCE))
    .setIssuedAt()
    .setExpirationTime('2m')
    .sign(key);

function post(token: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      backendUrl,
      { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(new URLSearchParams({ logout_token: token }).toString());
  });
}

test('drops its own session of the sid a verified logout token names, and shows the logout', async () => {
  backend.opened('sid-1', 'ana');
  backend.opened('sid-2', 'bob');
  expect(await post(await logoutToken())).toBe(200);
  expect(backend.state()).toEqual({
    sessions: [{ sid: 'sid-2', sub: 'bob' }],
    logouts: [{ at: expect.any(String), sid: 'sid-1', sub: 'ana', jti: expect.any(String), dropped: true }],
  });
  // Delivered again (at least once): accepted, nothing left to drop.
  expect(await post(await logoutToken())).toBe(200);
  expect(backend.state().logouts[0]).toMatchObject({ sid: 'sid-1', dropped: false });
});

test.each([
  ['another audience', { aud: 'https://other.example' }, 'logout+jwt'],
  ['an access token', {}, 'at+jwt'],
  ['a token without the logout event', { events: {} }, 'logout+jwt'],
  ['a token with a nonce', { nonce: 'n' }, 'logout+jwt'],
  ['a token without sid', { sid: undefined }, 'logout+jwt'],
])('refuses %s with 400, dropping nothing', async (_, claims, typ) => {
  backend.opened('sid-1', 'ana');
  const before = backend.state().logouts.length;
  expect(await post(await logoutToken(claims, typ))).toBe(400);
  expect(backend.state().sessions).toContainEqual({ sid: 'sid-1', sub: 'ana' });
  expect(backend.state().logouts).toHaveLength(before);
});
