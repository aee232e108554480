import { type CryptoKey, generateKeyPair } from 'jose';
import { httpEvent } from '../../support/api-event';
import { type FakeIdp, startFakeIdp, unsignedJwt } from '../../support/fake-idp';
import { type Integration, invoke, jsonBody, startIntegration } from '../../support/integration';

/**
 * A hostile IdP: discovery and JWKS are honest, but the token endpoint answers with whatever ID token the
 * test forges. guichet must refuse every forgery; the honest token proves the harness itself works.
 */
const CLIENT_ID = 'guichet-under-test';
let idp: FakeIdp;
let foreignKey: CryptoKey;
let forge: (nonce: string) => Promise<string>;
let nonceOfLastLogin = '';

let integration: Integration;
let login: typeof import('../../../lambdas/handlers/auth/login').handler;
let callback: typeof import('../../../lambdas/handlers/auth/callback').handler;

beforeAll(async () => {
  foreignKey = (await generateKeyPair('RS256')).privateKey;
  idp = await startFakeIdp(async () => ({ access_token: 'at', token_type: 'Bearer', id_token: await forge(nonceOfLastLogin) }));
  integration = await startIntegration({ OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: 'secret' });
  ({ handler: login } = await import('../../../lambdas/handlers/auth/login'));
  ({ handler: callback } = await import('../../../lambdas/handlers/auth/callback'));
});

afterAll(async () => {
  await integration?.guichet.close();
  await idp?.close();
});

const idToken = (claims: Record<string, unknown>, key?: CryptoKey) => {
  const now = Math.floor(Date.now() / 1000);
  return idp.sign({ iss: idp.issuer, aud: CLIENT_ID, sub: 'henry', iat: now, exp: now + 300, ...claims }, {}, key);
};

/** Runs /auth/login then /auth/callback with a code the hostile IdP will answer with `forged`. */
async function loginWith(forged: (nonce: string) => Promise<string>) {
  forge = forged;
  const started = await invoke(login, httpEvent({ path: '/auth/login' }));
  const authorization = new URL(started.headers!.Location as string);
  const state = authorization.searchParams.get('state')!;
  nonceOfLastLogin = authorization.searchParams.get('nonce')!;
  return invoke(
    callback,
    httpEvent({
      path: '/auth/callback',
      query: new URLSearchParams({ code: 'code', state }).toString(),
      cookies: [`guichet_login_state=${state}`],
    }),
  );
}

describe('ID token validation at the callback', () => {
  it('accepts an honest ID token (the harness works)', async () => {
    const result = await loginWith((nonce) => idToken({ nonce }));
    expect(result.statusCode).toBe(302);
  });

  it.each([
    ['signed by a key the IdP does not publish', (nonce: string) => idToken({ nonce }, foreignKey)],
    ['with another nonce', () => idToken({ nonce: 'replayed-nonce' })],
    ['without a nonce', () => idToken({})],
    ['for another audience', (nonce: string) => idToken({ nonce, aud: 'someone-else' })],
    ['from another issuer', (nonce: string) => idToken({ nonce, iss: 'https://evil.example' })],
    ['already expired', (nonce: string) => idToken({ nonce, exp: Math.floor(Date.now() / 1000) - 600 })],
    [
      'unsigned (alg none)',
      async (nonce: string) => {
        const now = Math.floor(Date.now() / 1000);
        return unsignedJwt({}, { iss: idp.issuer, aud: CLIENT_ID, sub: 'henry', nonce, iat: now, exp: now + 300 });
      },
    ],
  ])('refuses an ID token %s, and opens no session', async (_, forged) => {
    const sessionsBefore = (await integration.store.all('sessions')).length;
    const result = await loginWith(forged);
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_grant');
    expect(await integration.store.all('sessions')).toHaveLength(sessionsBefore);
  });
});
