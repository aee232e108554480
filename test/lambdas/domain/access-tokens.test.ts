import { type CryptoKey, decodeProtectedHeader, jwtVerify } from 'jose';
import { mintAccessToken } from '../../../lambdas/domain/access-tokens';
import type { SigningKey } from '../../../lambdas/shared/signing-keys';
import { testSigningKey } from '../../support/signing-key';

const config = { publicUrl: 'https://auth.example.com', accessTokenAudience: 'https://auth.example.com/external-api' };
let signingKey: SigningKey;
let verificationKey: CryptoKey;

beforeAll(async () => {
  ({ signingKey, verificationKey } = await testSigningKey());
});

describe('mintAccessToken', () => {
  it('mints an RFC 9068 token: typ at+jwt, kid, and every required claim', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { token, expiresIn } = await mintAccessToken(
      { sub: 'ana', clientId: 'app-1', scope: 'read write', email: 'ana@example.com', ttlSeconds: 600 },
      signingKey,
      config,
    );
    expect(expiresIn).toBe(600);
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'at+jwt', kid: signingKey.kid });
    const { payload } = await jwtVerify(token, verificationKey, {
      issuer: config.publicUrl,
      audience: config.accessTokenAudience,
      typ: 'at+jwt',
    });
    expect(payload).toEqual({
      iss: config.publicUrl,
      aud: config.accessTokenAudience,
      sub: 'ana',
      client_id: 'app-1',
      scope: 'read write',
      email: 'ana@example.com',
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.stringMatching(/^[\w-]{43}$/),
    });
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.exp! - payload.iat!).toBe(600);
  });

  it('never lives past notAfter: the end of the session it speaks for', async () => {
    const notAfter = Math.floor(Date.now() / 1000) + 45;
    const request = { sub: 'ana', clientId: 'guichet-addons', scope: 'addons' };
    const minted = await mintAccessToken({ ...request, ttlSeconds: 3600, notAfter }, signingKey, config);
    const { payload } = await jwtVerify(minted.token, verificationKey);
    expect(payload.exp).toBe(notAfter);
    expect(minted.expiresAt).toBe(notAfter);
    expect(minted.expiresIn).toBe(notAfter - payload.iat!);
    const later = await mintAccessToken({ ...request, ttlSeconds: 60, notAfter: notAfter + 3600 }, signingKey, config);
    expect(later.expiresIn).toBe(60);
  });

  it('names the actor as act.sub (RFC 8693 §4.1) when one acts for the subject', async () => {
    const { token } = await mintAccessToken(
      { sub: 'ana@example.com', clientId: 'app-1', scope: 'read', email: 'ana@example.com', actor: 'app-1', ttlSeconds: 60 },
      signingKey,
      config,
    );
    expect((await jwtVerify(token, verificationKey)).payload).toMatchObject({ sub: 'ana@example.com', act: { sub: 'app-1' } });
  });

  it('leaves email and act out when there are none, and never repeats a jti', async () => {
    const request = { sub: 'app-1', clientId: 'app-1', scope: 'read', ttlSeconds: 60 };
    const first = await jwtVerify((await mintAccessToken(request, signingKey, config)).token, verificationKey);
    const second = await jwtVerify((await mintAccessToken(request, signingKey, config)).token, verificationKey);
    expect(first.payload).not.toHaveProperty('email');
    expect(first.payload).not.toHaveProperty('act');
    expect(first.payload.jti).not.toBe(second.payload.jti);
  });

  it('signs ES256 tokens as JWS wants them (r and s side by side), which a standard verifier accepts', async () => {
    const es256 = await testSigningKey('ES256');
    const { token } = await mintAccessToken({ sub: 'app-1', clientId: 'app-1', scope: 'read', ttlSeconds: 60 }, es256.signingKey, config);
    expect(Buffer.from(token.split('.')[2], 'base64url')).toHaveLength(64);
    await expect(jwtVerify(token, es256.verificationKey, { typ: 'at+jwt' })).resolves.toBeDefined();
  });
});
