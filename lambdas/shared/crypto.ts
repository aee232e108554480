import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** 256 bits of randomness, base64url: session tokens, exchange codes, states, client secrets. */
export function randomSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** Every secret guichet issues is 32 random bytes in base64url; anything else is not worth a lookup. */
const SECRET_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export function isWellFormedSecret(value: string | undefined): value is string {
  return value !== undefined && SECRET_FORMAT.test(value);
}

/** The only form in which a secret is stored: its SHA-256, base64url. */
export function sha256(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('base64url');
}

/** PKCE S256 code challenge of a verifier (RFC 7636 §4.2). */
export function s256CodeChallenge(codeVerifier: string): string {
  return createHash('sha256').update(codeVerifier, 'utf8').digest('base64url');
}

/**
 * Constant-time equality of two strings of any length: both sides are hashed first, so neither the
 * content nor the length of the expected value leaks through timing.
 */
export function safeEqual(actual: string, expected: string): boolean {
  const a = createHash('sha256').update(actual, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
