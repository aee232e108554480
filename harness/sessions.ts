import { randomBytes } from 'node:crypto';
import { sha256 } from '../lambdas/shared/crypto';
import type { LocalStore } from './local-store';

/** Stores a session row directly and returns its token: for handlers that only read or end sessions. */
export async function storedSession(store: LocalStore, overrides: Record<string, unknown> = {}): Promise<{ token: string; id: string }> {
  const token = randomBytes(32).toString('base64url');
  const now = Math.floor(Date.now() / 1000);
  const issuer = 'https://idp.test';
  await store.put('sessions', {
    id: sha256(token),
    flow: 'web',
    issuer,
    sub: 'erin',
    subjectKey: JSON.stringify([issuer, 'erin']),
    email: 'erin@example.test',
    emailVerified: true,
    name: 'Erin',
    createdAt: now,
    expiresAt: now + 3600,
    ...overrides,
  });
  return { token, id: sha256(token) };
}
