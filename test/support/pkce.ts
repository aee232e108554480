import { createHash, randomBytes } from 'node:crypto';

/** A PKCE pair as a native app makes it (RFC 7636): 32 random bytes as verifier, its S256 challenge. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}
