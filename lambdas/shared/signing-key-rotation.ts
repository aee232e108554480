import { generateSigningKey } from './signing-key-generation';
import { parseKeySet, type SigningAlgorithm, type SigningKeySet } from './signing-keys';

/**
 * The key set after a rotation: a new current key first, then the key it replaces, still published so
 * that tokens it signed keep verifying until they expire. Older keys are dropped; rotations are far
 * apart (30 days) compared with the token lifetime plus the key cache time.
 */
export async function rotatedKeySet(current: SigningKeySet | undefined, alg: SigningAlgorithm): Promise<SigningKeySet> {
  const next = await generateSigningKey(alg);
  return { keys: current ? [next, current.keys[0]] : [next] };
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
