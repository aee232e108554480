import { generateSigningKey } from './signing-key-generation';
import type { SigningAlgorithm } from './signing-algorithms';
import { parseKeySet, type SigningKeySet } from './signing-keys';

/**
 * The key set after a rotation: the next key (published since the last rotation) becomes current, the
 * current one stays published as previous so that the tokens it signed keep verifying, and a new next key
 * is added. Older keys are dropped: rotations are far apart (30 days) compared with the token lifetime
 * plus the key cache time. A first rotation makes a current and a next key.
 */
export async function rotatedKeySet(current: SigningKeySet | undefined, alg: SigningAlgorithm): Promise<SigningKeySet> {
  const next = await generateSigningKey(alg);
  if (!current) return { keys: [await generateSigningKey(alg), next] };
  return { keys: [...current.keys, next].slice(-3) };
}

/** The key set a secret holds, or undefined for a fresh secret's placeholder value. */
export function keySetOrNothing(text: string | undefined): SigningKeySet | undefined {
  if (text === undefined) return undefined;
  try {
    return parseKeySet(text);
  } catch {
    return undefined;
  }
}
