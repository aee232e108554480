import { generateKeyPairSync } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';
import {
  credentialKind,
  graceSeconds,
  jwksUriProblem,
  operatorJwks,
  publishedSigningKeys,
  validSecrets,
} from '../../../lambdas/domain/application-credentials';
import type { ApplicationRecord } from '../../../lambdas/repositories/applications';

const RECORD: ApplicationRecord = {
  id: 'app_x',
  name: 'x',
  active: true,
  scopes: [],
  domains: [],
  secretHash: 'h',
  secretCreatedAt: 100,
  createdAt: 0,
  updatedAt: 0,
};

describe('graceSeconds', () => {
  const graces = [
    ['1m', 60],
    ['90m', 5400],
    ['24h', 86_400],
    ['7d', 604_800],
    ['30d', 2_592_000],
    [' 2h ', 7200],
  ] as const;
  it.each(graces)('reads %s', (text, seconds) => {
    expect(graceSeconds(text)).toBe(seconds);
  });

  it.each(['0m', '59s', '31d', '721h', '', '1', 'd', '1.5h', '-1h', '1w', '1h30m'])('refuses %j', (text) => {
    expect(() => graceSeconds(text)).toThrow(/from 1m to 30d/);
  });
});

describe('validSecrets and credentialKind', () => {
  it('lists the current secret, and the previous one until its expiry (excluded)', () => {
    const rotated = { ...RECORD, previousSecretHash: 'p', previousSecretCreatedAt: 50, previousSecretExpiresAt: 1000 };
    expect(validSecrets(rotated, 999)).toEqual([{ createdAt: 100 }, { createdAt: 50, expiresAt: 1000 }]);
    expect(validSecrets(rotated, 1000)).toEqual([{ createdAt: 100 }]);
    expect(credentialKind(rotated)).toBe('secret');
  });

  it('an application with keys has no secret', () => {
    const { secretHash: _, ...keyed } = { ...RECORD, jwksUri: 'https://k.example/jwks' };
    expect(validSecrets(keyed, 0)).toEqual([]);
    expect(credentialKind(keyed)).toBe('keys');
  });
});

describe('public keys', () => {
  it('takes RSA (2048 bits or more), EC and Ed25519 public signing keys, and refuses the rest', async () => {
    const jwk = async (alg: string) => exportJWK((await generateKeyPair(alg, { extractable: true })).publicKey);
    const rsa = { ...(await jwk('RS256')), kid: 'r' };
    const ec = { ...(await jwk('ES384')), kid: 'e' };
    const ed = { ...(await jwk('Ed25519')), kid: 'd' };
    expect(operatorJwks({ keys: [rsa, ec, ed] })).toEqual({ keys: [rsa, ec, ed] });
    const shortKey = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'jwk' });
    const short = { ...shortKey, kid: 's' };
    expect(operatorJwks({ keys: [short] })).toEqual({ problem: 'key "s" is shorter than 2048 bits' });
    expect(operatorJwks({ keys: [{ ...ec, crv: 'secp256k1' }] })).toEqual({ problem: 'key "e" uses an unsupported curve' });
    expect(operatorJwks({ keys: [{ ...rsa, key_ops: ['encrypt'] }] })).toEqual({ problem: 'key "r" may not verify' });
    const eleven = Array.from({ length: 11 }, (_, i) => ({ ...ec, kid: `${i}` }));
    expect(operatorJwks({ keys: eleven })).toEqual({ problem: 'a JWK Set of 1 to 10 keys is expected, not 11' });
    expect(operatorJwks([rsa])).toEqual({ problem: 'not a JWK Set: expected {"keys": [...]}' });
    expect(publishedSigningKeys({ keys: [rsa, short, { kty: 'oct', k: 'x' }] })).toEqual({ keys: [rsa] });
    expect(publishedSigningKeys('nope')).toBeUndefined();
  });
});

describe('jwksUriProblem', () => {
  it.each([
    ['https://keys.example.com/jwks.json', false, undefined],
    ['http://127.0.0.1:9000/jwks.json', true, undefined],
    ['http://localhost:9000/jwks.json', true, undefined],
    ['http://127.0.0.1:9000/jwks.json', false, 'a jwks_uri is https'],
    ['http://keys.example.com/jwks.json', true, 'a jwks_uri is https (plain http only on loopback, in local mode)'],
    ['https://u:p@keys.example.com/', false, 'a jwks_uri has no user info or fragment'],
    ['https://keys.example.com/#x', false, 'a jwks_uri has no user info or fragment'],
    ['/jwks.json', false, 'not an absolute URL'],
    [`https://keys.example.com/${'x'.repeat(2048)}`, false, 'not an absolute URL'],
  ])('%s (loopback allowed: %s)', (uri, allowLoopback, problem) => {
    expect(jwksUriProblem(uri, allowLoopback)).toBe(problem);
  });
});
