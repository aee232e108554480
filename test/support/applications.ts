import { randomBytes } from 'node:crypto';
import { sha256 } from '../../lambdas/shared/crypto';
import type { LocalStore } from './local-store';

/** Stores an application directly and returns its credentials: for the token endpoint's tests. */
export async function storedApplication(
  store: LocalStore,
  overrides: { scopes?: string[]; domains?: string[]; active?: boolean } = {},
): Promise<{ clientId: string; clientSecret: string }> {
  const clientId = `app_${randomBytes(16).toString('base64url')}`;
  const clientSecret = randomBytes(32).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  await store.put('applications', {
    id: clientId,
    name: 'Test application',
    active: overrides.active ?? true,
    scopes: overrides.scopes ?? ['read', 'write'],
    domains: overrides.domains ?? [],
    secretHash: sha256(clientSecret),
    createdAt: now,
    updatedAt: now,
  });
  return { clientId, clientSecret };
}

export { basicAuthorization } from '../../harness/client-credentials';
