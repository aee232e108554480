import { createPrivateKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';
import { SECRETS } from '../secrets';
import { TemporarilyUnavailable } from './errors';
import { prepareAtInit } from './init';
import { type SecretSource, secretSource } from './secrets';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './signing-algorithms';
import type { KeySchedule } from './signing-key-schedule';

/**
 * The stored JWK set of private keys, oldest first: the keys that stopped signing (still verifying the tokens they
 * signed), the current key (signing), and the next key (published, not signing yet). Each key carries when it was
 * published and, once it stopped signing, when that was and until when its tokens may live; the set carries the
 * schedule the deployment rotates it by (signing-key-schedule.ts). Sets written before these were recorded lack them.
 */
export interface SigningKeySet {
  readonly keys: readonly StoredSigningKey[];
  readonly schedule?: KeySchedule;
}

/** A private JWK and its dates, in epoch seconds; never published as they are (`publicJwk` picks the members). */
export interface StoredSigningKey extends JWK {
  readonly publishedAt?: number;
  readonly retiredAt?: number;
  /** No sooner than this may the key be dropped: tokens it signed may live until then. */
  readonly keptUntil?: number;
}

/** The key that signs: the one before the next key, or the only key of a one-key set. */
export function currentSigningJwk(set: SigningKeySet): JWK {
  return set.keys.length >= 2 ? set.keys[set.keys.length - 2] : set.keys[0];
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly key: KeyObject;
}

const PUBLIC_MEMBERS: Record<string, readonly string[]> = { RSA: ['kty', 'n', 'e'], EC: ['kty', 'crv', 'x', 'y'] };

/** The public half of a JWK, with only the members a verifier needs. */
export function publicJwk(jwk: JWK): JWK {
  const members = PUBLIC_MEMBERS[jwk.kty ?? ''];
  if (!members) throw new Error(`unsupported key type ${jwk.kty}`);
  const pub: JWK = Object.fromEntries(members.map((name) => [name, jwk[name as keyof JWK]]));
  return { ...pub, kid: jwk.kid, alg: jwk.alg, use: 'sig' };
}

export function parseKeySet(text: string): SigningKeySet {
  const parsed = JSON.parse(text) as SigningKeySet;
  if (!Array.isArray(parsed.keys) || parsed.keys.length === 0) throw new Error('the signing key set holds no key');
  for (const key of parsed.keys) {
    if (!key.kid || !SIGNING_ALGORITHMS.includes(key.alg as SigningAlgorithm) || !key.d) {
      throw new Error('every signing key needs a kid, a supported alg and its private part');
    }
  }
  return parsed;
}

/** How soon a caller may retry while the first key set is being made (right after a deploy). */
const KEYS_NOT_READY_RETRY_SECONDS = 5;

/**
 * The key set, read from its secret at most every `cacheSeconds` (SIGNING_KEYS_CACHE_SECONDS), never per
 * request. Rotation keeps the previous key published far longer, so a token signed from a stale cache
 * still verifies. Until the first rotation has replaced the secret's placeholder with a key set, callers get
 * 503 `temporarily_unavailable` and nothing is cached, so the keys are used as soon as they exist.
 */
export function signingKeyStore(cacheSeconds: number, source: SecretSource = secretSource(), now: () => number = Date.now) {
  let cached: { readonly set: SigningKeySet; readonly current: SigningKey; readonly until: number } | undefined;

  const load = async () => {
    if (!cached || now() >= cached.until) {
      const set = readyKeySet(await source.read('signingKeys'));
      const jwk = currentSigningJwk(set);
      const current = { kid: jwk.kid!, alg: jwk.alg as SigningAlgorithm, key: createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' }) };
      cached = { set, current, until: now() + cacheSeconds * 1000 };
    }
    return cached;
  };

  // The key set read and its signing key imported at init, where the function is granted it.
  if (process.env[SECRETS.signingKeys.arnEnvVar]) prepareAtInit(load);
  return {
    /** The key new tokens are signed with. */
    currentKey: async (): Promise<SigningKey> => (await load()).current,
    /** Public keys of the previous, current and next keys, for the JWKS. */
    publicKeys: async (): Promise<JWK[]> => (await load()).set.keys.map(publicJwk),
  };
}

function readyKeySet(text: string): SigningKeySet {
  try {
    return parseKeySet(text);
  } catch {
    throw new TemporarilyUnavailable('the signing keys are not ready yet', KEYS_NOT_READY_RETRY_SECONDS);
  }
}
