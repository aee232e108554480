import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { rotatedKeySet } from '../lambdas/shared/signing-key-rotation';
import { currentSigningJwk, parseKeySet, type SigningAlgorithm } from '../lambdas/shared/signing-keys';
import { ensureSigningKeysFile, localStateDirectory } from '../local/signing-keys-file';
import { secretArnOutputKey } from '../lib/naming';
import { stackOutput, type StackTarget } from './stack';

export interface LocalRotation {
  readonly file: string;
  /** The key that signs from now on (published since the previous rotation). */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Still published, so that tokens it signed keep verifying. */
  readonly previousKid: string;
  /** Published now, signing from the next rotation on. */
  readonly nextKid: string;
}

/**
 * Rotates the local signing keys: the file `npm start` reads, in GUICHET_LOCAL_DIR. Unset `alg` keeps the
 * current key's algorithm.
 */
export async function rotateLocalSigningKeys(env: NodeJS.ProcessEnv, alg?: SigningAlgorithm): Promise<LocalRotation> {
  const file = await ensureSigningKeysFile(localStateDirectory(env));
  const current = parseKeySet(await readFile(file, 'utf8'));
  const previous = currentSigningJwk(current);
  const rotated = await rotatedKeySet(current, alg ?? (current.keys.at(-1)!.alg as SigningAlgorithm));
  await replaceFile(file, `${JSON.stringify(rotated, null, 2)}\n`);
  const signing = currentSigningJwk(rotated);
  return {
    file,
    kid: signing.kid!,
    alg: signing.alg as SigningAlgorithm,
    previousKid: previous.kid!,
    nextKid: rotated.keys.at(-1)!.kid!,
  };
}

/**
 * Written aside then renamed over the file: a running `npm start` re-reads it at any moment and must never
 * see half a key set. The new file is created owner-only, like the one it replaces.
 */
async function replaceFile(file: string, content: string): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

export interface StackRotation {
  readonly secretArn: string;
  readonly versionId?: string;
}

/** Asks Secrets Manager to rotate the stack's signing-keys secret; the stack's rotation Lambda makes the key. */
export async function requestStackKeyRotation(target: StackTarget): Promise<StackRotation> {
  const secretArn = await stackOutput(target, secretArnOutputKey('signingKeys'));
  const client = new SecretsManagerClient({ region: target.region });
  try {
    const { VersionId: versionId } = await client.send(new RotateSecretCommand({ SecretId: secretArn }));
    return { secretArn, versionId };
  } finally {
    client.destroy();
  }
}
