import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { LocalJwtAuthorizer } from '../../local/jwt-authorizer';

const AUDIENCE = 'https://api.product.example';
let server: Server;
let issuer: string;
let rsaKey: CryptoKey;
let ecKey: CryptoKey;
let authorizer: LocalJwtAuthorizer;

/** An issuer as API Gateway finds it: discovery, then the JWKS it names. */
beforeAll(async () => {
  const rsa = await generateKeyPair('RS256');
  const ec = await generateKeyPair('ES256');
  rsaKey = rsa.privateKey;
  ecKey = ec.privateKey;
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
  ];
  server = createServer((request, response) => {
    response.setHeader('content-type', 'application/json');
    if (request.url === '/.well-known/openid-configuration') response.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks` }));
    else if (request.url === '/jwks') response.end(JSON.stringify({ keys }));
    else response.writeHead(404).end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  authorizer = new LocalJwtAuthorizer({ issuer, audiences: [AUDIENCE], identitySource: '$request.header.Authorization' });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const now = () => Math.floor(Date.now() / 1000);

function token(claims: JWTPayload = {}, header: { alg?: string; kid?: string | null } = {}): Promise<string> {
  const alg = header.alg ?? 'RS256';
  const kid = header.kid === null ? undefined : (header.kid ?? (alg === 'RS256' ? 'rsa-1' : 'ec-1'));
  const defaults = {
    iss: issuer,
    aud: AUDIENCE,
    sub: 'ada',
    iat: now(),
    exp: now() + 300,
    scope: 'profile:read notes:write',
    client_id: 'guichet-session',
    email: 'ada@example.test',
  };
  return new SignJWT({ ...defaults, ...claims })
    .setProtectedHeader({ alg, typ: 'at+jwt', ...(kid ? { kid } : {}) })
    .sign(alg === 'RS256' ? rsaKey : ecKey);
}

describe('the local JWT authorizer', () => {
  it('lets a good token through and hands the integration its claims as strings and its scopes', async () => {
    const result = await authorizer.authorize({ authorization: `Bearer ${await token({ amr: ['pwd', 'otp'] })}` }, ['profile:read']);
    expect(result).toEqual({
      outcome: 'allowed',
      context: {
        claims: expect.objectContaining({
          sub: 'ada',
          aud: AUDIENCE,
          email: 'ada@example.test',
          iat: expect.stringMatching(/^\d+$/),
          amr: '[pwd otp]',
        }),
        scopes: ['profile:read', 'notes:write'],
      },
    });
  });

  it('takes the token without the Bearer prefix too, and a route without scopes takes any scope', async () => {
    expect((await authorizer.authorize({ authorization: await token({ scope: 'other' }) }, [])).outcome).toBe('allowed');
  });

  it('checks client_id against the audiences when the token has no aud', async () => {
    const unaudienced = async (clientId: string) =>
      new SignJWT({ client_id: clientId, scope: 'profile:read' })
        .setProtectedHeader({ alg: 'RS256', kid: 'rsa-1' })
        .setIssuer(issuer)
        .setIssuedAt()
        .setExpirationTime('5m')
        .sign(rsaKey);
    expect((await authorizer.authorize({ authorization: await unaudienced(AUDIENCE) }, [])).outcome).toBe('allowed');
    expect((await authorizer.authorize({ authorization: await unaudienced('someone') }, [])).outcome).toBe('unauthorized');
  });

  it.each([
    ['no token', async () => undefined],
    ['another audience', async () => token({ aud: 'https://auth.example/external-api' })],
    ['another issuer', async () => token({ iss: 'https://elsewhere.example' })],
    ['an expired token', async () => token({ exp: now() - 10 })],
    ['a token not valid yet', async () => token({ nbf: now() + 600 })],
    ['a token issued in the future', async () => token({ iat: now() + 600 })],
    ['a token without kid', async () => token({}, { kid: null })],
    ['an ES256 signature: API Gateway verifies RSA only', async () => token({}, { alg: 'ES256' })],
    ['a tampered token', async () => `${await token()}x`],
    ['something that is no JWT', async () => 'Bearer'],
  ])('answers %s with 401', async (_, makeToken) => {
    const value = await makeToken();
    const result = await authorizer.authorize(value === undefined ? {} : { authorization: `Bearer ${value}` }, ['profile:read']);
    expect(result).toEqual({ outcome: 'unauthorized', wwwAuthenticate: expect.stringMatching(/^Bearer .*error="invalid_token"/) });
  });

  it('answers a good token without one of the route scopes with 403 insufficient_scope', async () => {
    const result = await authorizer.authorize({ authorization: `Bearer ${await token({ scope: 'notes:write' })}` }, [
      'profile:read',
      'admin',
    ]);
    expect(result).toEqual({ outcome: 'forbidden', wwwAuthenticate: expect.stringContaining('error="insufficient_scope"') });
    const scp = await authorizer.authorize({ authorization: `Bearer ${await token({ scope: undefined, scp: ['admin'] })}` }, [
      'profile:read',
      'admin',
    ]);
    expect(scp.outcome).toBe('allowed');
  });
});
