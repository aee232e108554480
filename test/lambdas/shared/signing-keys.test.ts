import { CompactSign, compactVerify, importJWK, type JWK } from 'jose';
import { generateSigningKey } from '../../../lambdas/shared/signing-key-generation';
import { parseKeySet, publicJwk, signingKeyStore } from '../../../lambdas/shared/signing-keys';

const CACHE_SECONDS = 300;

import type { SecretSource } from '../../../lambdas/shared/secrets';

let rsa: JWK;
let ec: JWK;

beforeAll(async () => {
  rsa = await generateSigningKey('RS256');
  ec = await generateSigningKey('ES256');
});

const sourceOf = (value: () => string) => {
  const read = jest.fn(async () => value());
  return { source: { read } as SecretSource, read };
};

describe('generateSigningKey', () => {
  it('makes a 2048-bit RS256 key whose kid is its thumbprint', () => {
    expect(rsa).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.stringMatching(/^[\w-]{43}$/) });
    expect(Buffer.from(rsa.n!, 'base64url')).toHaveLength(256);
    expect(rsa.d).toBeDefined();
  });

  it('makes an ES256 key on P-256', () => {
    expect(ec).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256' });
  });
});

describe('publicJwk', () => {
  it('keeps only the public members', () => {
    expect(publicJwk(rsa)).toEqual({ kty: 'RSA', n: rsa.n, e: rsa.e, kid: rsa.kid, alg: 'RS256', use: 'sig' });
    expect(publicJwk(ec)).toEqual({ kty: 'EC', crv: 'P-256', x: ec.x, y: ec.y, kid: ec.kid, alg: 'ES256', use: 'sig' });
  });

  it('refuses a symmetric key', () => {
    expect(() => publicJwk({ kty: 'oct', k: 'secret' })).toThrow(/unsupported key type/);
  });
});

describe('parseKeySet', () => {
  it.each([
    ['an empty set', () => ({ keys: [] })],
    ['a key without kid', () => ({ keys: [{ ...rsa, kid: undefined }] })],
    ['a public key only', () => ({ keys: [publicJwk(rsa)] })],
    ['an HMAC algorithm', () => ({ keys: [{ ...rsa, alg: 'HS256' }] })],
  ])('refuses %s', (_, set) => {
    expect(() => parseKeySet(JSON.stringify(set()))).toThrow();
  });

  it('accepts a valid set', () => {
    expect(parseKeySet(JSON.stringify({ keys: [rsa] })).keys).toHaveLength(1);
  });
});

describe('signingKeyStore', () => {
  it('signs with the key before the next one and publishes every key', async () => {
    const { source } = sourceOf(() => JSON.stringify({ keys: [ec, rsa] }));
    const store = signingKeyStore(CACHE_SECONDS, source);
    const current = await store.currentKey();
    expect(current).toMatchObject({ kid: ec.kid, alg: 'ES256' });
    expect((await store.publicKeys()).map((key) => key.kid)).toEqual([ec.kid, rsa.kid]);

    const signature = await new CompactSign(Buffer.from('x')).setProtectedHeader({ alg: 'ES256' }).sign(current.key);
    await expect(compactVerify(signature, await importJWK(publicJwk(ec), 'ES256'))).resolves.toBeDefined();
  });

  it('reads the secret once per cache period, not per request', async () => {
    let clock = 1_000_000;
    let keys = [rsa];
    const { source, read } = sourceOf(() => JSON.stringify({ keys }));
    const store = signingKeyStore(CACHE_SECONDS, source, () => clock);
    await store.currentKey();
    await store.publicKeys();
    await store.currentKey();
    expect(read).toHaveBeenCalledTimes(1);

    keys = [ec, rsa];
    clock += CACHE_SECONDS * 1000 - 1;
    expect((await store.currentKey()).kid).toBe(rsa.kid);
    clock += 1;
    expect((await store.currentKey()).kid).toBe(ec.kid);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('answers 503 temporarily_unavailable while the secret holds no key set yet, and uses the keys once they exist', async () => {
    let value = 'the generated placeholder of a fresh secret';
    const { source, read } = sourceOf(() => value);
    const store = signingKeyStore(CACHE_SECONDS, source);
    for (const attempt of [store.currentKey(), store.publicKeys()]) {
      await expect(attempt).rejects.toMatchObject({ status: 503, code: 'temporarily_unavailable', headers: { 'Retry-After': '5' } });
    }
    value = JSON.stringify({ keys: [rsa] });
    expect((await store.currentKey()).kid).toBe(rsa.kid);
    expect(read).toHaveBeenCalledTimes(3);
  });
});
