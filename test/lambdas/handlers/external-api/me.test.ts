import { type CryptoKey, importJWK, type JWK, SignJWT } from 'jose';
import { generateSigningKey } from '../../../../lambdas/shared/signing-key-generation';
import { publicJwk } from '../../../../lambdas/shared/signing-keys';
import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';

let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/external-api/me').handler;
let localKey: JWK;
let privateKey: CryptoKey;

beforeAll(async () => {
  integration = await startIntegration();
  ({ handler } = await import('../../../../lambdas/handlers/external-api/me'));
  [localKey] = integration.guichet.signingKeys.keys;
  privateKey = (await importJWK(localKey, 'RS256')) as CryptoKey;
});
afterAll(() => integration?.guichet.close());

const me = (authorization?: string) =>
  invoke(handler, httpEvent({ path: '/external-api/v1.0/me', headers: authorization ? { authorization } : {} }));

/** A token as guichet would mint it, with the given changes. */
async function token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: CryptoKey = privateKey) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    iss: integration.guichet.publicUrl,
    aud: `${integration.guichet.publicUrl}/external-api`,
    sub: 'app_x',
    client_id: 'app_x',
    scope: 'read',
    iat: now,
    exp: now + 300,
    jti: 'j1',
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt', kid: localKey.kid, ...header } as { alg: string })
    .sign(key);
}

describe('GET /external-api/v1.0/me', () => {
  it('answers who the token speaks for', async () => {
    const result = await me(`Bearer ${await token({ email: 'ada@example.com', sub: 'ada@example.com' })}`);
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toEqual({ sub: 'ada@example.com', client_id: 'app_x', scope: 'read', email: 'ada@example.com' });
  });

  it('answers null for email when the token was not delegated', async () => {
    expect(jsonBody(await me(`Bearer ${await token()}`)).email).toBeNull();
  });

  it.each([
    ['another audience', () => token({ aud: 'https://other.example/api' })],
    ['another issuer', () => token({ iss: 'https://evil.example' })],
    ['an expired token', () => token({ exp: Math.floor(Date.now() / 1000) - 120 })],
    ['typ JWT instead of at+jwt', () => token({}, { typ: 'JWT' })],
    ['no scope', () => token({ scope: '' })],
    ['no client_id', () => token({ client_id: undefined })],
    [
      'a key guichet does not publish',
      async () => {
        const foreign = await generateSigningKey('RS256');
        return token({}, { kid: foreign.kid }, (await importJWK(foreign, 'RS256')) as CryptoKey);
      },
    ],
    [
      'HS256 keyed with the public key',
      async () => {
        const secret = new TextEncoder().encode(JSON.stringify(publicJwk(localKey)));
        const now = Math.floor(Date.now() / 1000);
        return new SignJWT({
          iss: integration.guichet.publicUrl,
          aud: `${integration.guichet.publicUrl}/external-api`,
          sub: 'x',
          client_id: 'x',
          scope: 'read',
          iat: now,
          exp: now + 60,
          jti: 'j',
        })
          .setProtectedHeader({ alg: 'HS256', typ: 'at+jwt', kid: localKey.kid })
          .sign(secret);
      },
    ],
    [
      'alg none',
      async () => {
        const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        return `${encode({ alg: 'none', typ: 'at+jwt' })}.${encode({ iss: integration.guichet.publicUrl, aud: `${integration.guichet.publicUrl}/external-api`, sub: 'x', client_id: 'x', scope: 'read', iat: now, exp: now + 60, jti: 'j' })}.`;
      },
    ],
    ['not a JWT', async () => 'not-a-jwt'],
  ])('answers 401 invalid_token for %s', async (_, make) => {
    const result = await me(`Bearer ${await make()}`);
    expect(result.statusCode).toBe(401);
    expect(jsonBody(result).error).toBe('invalid_token');
    expect(result.headers!['WWW-Authenticate']).toBe('Bearer error="invalid_token"');
  });

  it.each([undefined, 'Basic abc', 'Bearer'])('answers 401 for the Authorization header %p', async (authorization) => {
    expect((await me(authorization)).statusCode).toBe(401);
  });
});
