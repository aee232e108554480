import { randomBytes } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { sha256 } from '../../lambdas/shared/crypto';
import type { LocalStore } from './local-store';

type ApplicationOverrides = { scopes?: string[]; domains?: string[]; active?: boolean };

/** Stores an application record directly, with these credentials; returns its new client id. */
async function storedRecord(
  store: LocalStore,
  name: string,
  credentials: Record<string, unknown>,
  overrides: ApplicationOverrides,
): Promise<string> {
  const clientId = `app_${randomBytes(16).toString('base64url')}`;
  const now = Math.floor(Date.now() / 1000);
  await store.put('applications', {
    id: clientId,
    name,
    active: overrides.active ?? true,
    scopes: overrides.scopes ?? ['read', 'write'],
    domains: overrides.domains ?? [],
    ...credentials,
    createdAt: now,
    updatedAt: now,
  });
  return clientId;
}

/** Stores an application directly and returns its credentials: for the token endpoint's tests. */
export async function storedApplication(
  store: LocalStore,
  overrides: ApplicationOverrides = {},
): Promise<{ clientId: string; clientSecret: string }> {
  const clientSecret = randomBytes(32).toString('base64url');
  return { clientId: await storedRecord(store, 'Test application', { secretHash: sha256(clientSecret) }, overrides), clientSecret };
}

export { basicAuthorization } from '../../harness/client-credentials';

/** Stores an application that authenticates with keys (private_key_jwt): registered ones, or those at a `jwks_uri`. */
export function storedKeysApplication(
  store: LocalStore,
  keys: { jwks?: { keys: JWK[] }; jwksUri?: string },
  overrides: ApplicationOverrides = {},
): Promise<string> {
  const credentials = { ...(keys.jwks && { jwks: JSON.stringify(keys.jwks) }), ...(keys.jwksUri && { jwksUri: keys.jwksUri }) };
  return storedRecord(store, 'Keys application', credentials, overrides);
}

/** A key pair for client assertions: the private key to sign with, and its public JWK to register. */
export async function assertionKey(alg: 'RS256' | 'ES256' | 'Ed25519' = 'RS256', kid = `${alg}-${randomBytes(4).toString('hex')}`) {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, alg, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' } as JWK };
}

/**
 * A client assertion as RFC 7523 §2.2 wants it (`iss` = `sub` = client id, `aud`, `exp` a minute ahead, a fresh `jti`),
 * signed with `key`; `claims` and `header` change or (undefined) drop what the test needs.
 */
export async function clientAssertion(
  key: Awaited<ReturnType<typeof assertionKey>>,
  clientId: string,
  audience: string,
  claims: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jti = randomBytes(16).toString('base64url');
  const claimed = { iss: clientId, sub: clientId, aud: audience, iat: now, exp: now + 60, jti, ...claims };
  const payload = Object.fromEntries(Object.entries(claimed).filter(([, value]) => value !== undefined));
  return new SignJWT(payload).setProtectedHeader({ alg: key.alg, kid: key.kid, ...header } as { alg: string }).sign(key.privateKey);
}
