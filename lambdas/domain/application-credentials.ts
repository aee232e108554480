import { createPublicKey, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { ApplicationRecord } from '../repositories/applications';
import { isAsymmetricAlgorithm } from '../shared/signing-algorithms';

/**
 * The rules of applications' credentials, free of storage, shared by the token endpoint and the operator CLI:
 * secrets that overlap during a rotation, and public keys for private_key_jwt.
 */

/** How an application authenticates: secrets (client_secret_basic, client_secret_post) or keys (private_key_jwt). */
export type CredentialKind = 'secret' | 'keys';

export function credentialKind(record: Pick<ApplicationRecord, 'jwks' | 'jwksUri'>): CredentialKind {
  return record.jwks !== undefined || record.jwksUri !== undefined ? 'keys' : 'secret';
}

/** How long the previous secret stays valid after `rotate-secret` when no `--grace` is given. */
export const DEFAULT_SECRET_GRACE = '24h';
const GRACE_UNITS: Readonly<Record<string, number>> = { m: 60, h: 3600, d: 86_400 };
const MIN_GRACE_SECONDS = 60;
const MAX_GRACE_SECONDS = 30 * 86_400;

/** A grace period written `90m`, `24h` or `7d`, in seconds, between a minute and 30 days; throws otherwise. */
export function graceSeconds(text: string): number {
  const match = /^(\d{1,6})([mhd])$/.exec(text.trim());
  const seconds = match ? Number(match[1]) * GRACE_UNITS[match[2]] : Number.NaN;
  if (!(seconds >= MIN_GRACE_SECONDS && seconds <= MAX_GRACE_SECONDS)) {
    throw new Error(`invalid grace period "${text}": a whole number of minutes, hours or days (90m, 24h, 7d), from 1m to 30d`);
  }
  return seconds;
}

/** A secret that authenticates the application: when it was made (unknown on older records) and until when. */
export interface ValidSecret {
  readonly createdAt?: number;
  /** Undefined for the current secret: it stays valid until the next rotation. */
  readonly expiresAt?: number;
}

/** Whether the previous secret is still in its grace period at `now` (expiry is checked here, on every read). */
function previousIsValid(record: ApplicationRecord, now: number): boolean {
  return record.previousSecretHash !== undefined && (record.previousSecretExpiresAt ?? 0) > now;
}

/** The valid secrets of an application, the current one first; none for an application with keys. */
export function validSecrets(record: ApplicationRecord, now: number): ValidSecret[] {
  if (record.secretHash === undefined) return [];
  const current = { createdAt: record.secretCreatedAt };
  if (!previousIsValid(record, now)) return [current];
  return [current, { createdAt: record.previousSecretCreatedAt, expiresAt: record.previousSecretExpiresAt }];
}

/**
 * Compared against in place of a secret the application does not have, so that every case costs the same: random,
 * not the hash of anything, so that no presented secret can ever match one.
 */
const NO_CURRENT_SECRET = randomBytes(32).toString('base64url');
const NO_PREVIOUS_SECRET = randomBytes(32).toString('base64url');

/**
 * The two hashes a presented secret is compared with, always two: the current secret's and the previous one's
 * while it is valid, stand-ins where there is none (an unknown client, an application with one secret or with keys).
 */
export function secretHashesToCompare(record: ApplicationRecord | undefined, now: number): readonly [string, string] {
  return [
    record?.secretHash ?? NO_CURRENT_SECRET,
    record && previousIsValid(record, now) ? record.previousSecretHash! : NO_PREVIOUS_SECRET,
  ];
}

/** A JWK Set as guichet keeps it: public signing keys only. */
export interface PublicJwks {
  readonly keys: readonly JWK[];
}

const MAX_KEYS = 10;
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'];
const CURVES: Readonly<Record<string, readonly string[]>> = { EC: ['P-256', 'P-384', 'P-521'], OKP: ['Ed25519'] };
const MIN_RSA_MODULUS_BYTES = 256;

/** Why this JWK cannot verify client assertions, or undefined: a public RSA (2048 bits or more), EC or Ed25519 signing key. */
export function publicSigningKeyProblem(key: unknown): string | undefined {
  if (typeof key !== 'object' || key === null || Array.isArray(key)) return 'a key is not a JSON object';
  const jwk = key as Record<string, unknown>;
  const name = typeof jwk.kid === 'string' ? `key "${jwk.kid}"` : 'a key without kid';
  if (PRIVATE_MEMBERS.some((member) => member in jwk)) return `${name} holds private or secret material: give public keys only`;
  if (jwk.kty !== 'RSA' && !(typeof jwk.kty === 'string' && jwk.kty in CURVES)) return `${name} is not an RSA, EC or OKP key`;
  if (jwk.kty in CURVES && !CURVES[jwk.kty as string].includes(jwk.crv as string)) return `${name} uses an unsupported curve`;
  if (jwk.use !== undefined && jwk.use !== 'sig') return `${name} is not a signing key (use "${String(jwk.use)}")`;
  if (jwk.key_ops !== undefined && !(Array.isArray(jwk.key_ops) && jwk.key_ops.includes('verify'))) return `${name} may not verify`;
  if (jwk.alg !== undefined && !isAsymmetricAlgorithm(jwk.alg)) {
    return `${name} names an algorithm guichet does not accept (${String(jwk.alg)})`;
  }
  try {
    const imported = createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
    const modulusBits = imported.asymmetricKeyDetails?.modulusLength ?? 0;
    if (jwk.kty === 'RSA' && modulusBits < MIN_RSA_MODULUS_BYTES * 8) return `${name} is shorter than 2048 bits`;
  } catch {
    return `${name} is not a valid key`;
  }
  return undefined;
}

/**
 * The public signing keys of a JWK Set an operator gives, or the reason it is refused: every key must be one
 * (a private key is refused rather than stripped: it must not have left its owner), at most ten, and when there
 * are several each has its own `kid`, since assertions pick their key by `kid`.
 */
export function operatorJwks(value: unknown): PublicJwks | { readonly problem: string } {
  const keys = typeof value === 'object' && value !== null ? (value as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) return { problem: 'not a JWK Set: expected {"keys": [...]}' };
  if (keys.length === 0 || keys.length > MAX_KEYS) return { problem: `a JWK Set of 1 to ${MAX_KEYS} keys is expected, not ${keys.length}` };
  for (const key of keys) {
    const problem = publicSigningKeyProblem(key);
    if (problem) return { problem };
  }
  const kids = keys.map((key: JWK) => key.kid);
  if (keys.length > 1 && (kids.some((kid) => typeof kid !== 'string' || !kid) || new Set(kids).size !== kids.length)) {
    return { problem: 'with several keys, each needs its own kid' };
  }
  return { keys };
}

/**
 * The keys an application publishes at its `jwks_uri` that can verify its assertions: the others (encryption keys,
 * symmetric or unsupported ones) are left out, as a JWK Set may hold keys for other uses.
 */
export function publishedSigningKeys(value: unknown): PublicJwks | undefined {
  const keys = typeof value === 'object' && value !== null ? (value as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) return undefined;
  return { keys: keys.filter((key) => publicSigningKeyProblem(key) === undefined).slice(0, MAX_KEYS * 2) };
}

const MAX_URI_LENGTH = 2048;

/**
 * Why this is not a `jwks_uri` guichet may call, or undefined: an absolute https URL without user info or fragment
 * (plain http only to a loopback host, in local mode). Where it points is checked again on every fetch.
 */
export function jwksUriProblem(text: string, allowLoopback: boolean): string | undefined {
  if (text.length > MAX_URI_LENGTH || !URL.canParse(text)) return 'not an absolute URL';
  const url = new URL(text);
  if (url.username || url.password || text.includes('#')) return 'a jwks_uri has no user info or fragment';
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && allowLoopback && loopback)) {
    return allowLoopback ? 'a jwks_uri is https (plain http only on loopback, in local mode)' : 'a jwks_uri is https';
  }
  return undefined;
}
