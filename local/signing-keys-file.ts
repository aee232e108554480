import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { rotatedKeySet } from '../lambdas/shared/signing-key-rotation';

/** Where local mode keeps what must survive a restart: outside the repository, never committed. */
export function localStateDirectory(env: NodeJS.ProcessEnv): string {
  return env.GUICHET_LOCAL_DIR ?? path.join(os.homedir(), '.guichet');
}

/** The local stand-in for the signing-keys secret: a JWK set file, generated on first start (owner-only). */
export async function ensureSigningKeysFile(directory: string): Promise<string> {
  const file = path.join(directory, 'signing-keys.json');
  if (!existsSync(file)) {
    await mkdir(directory, { recursive: true, mode: 0o700 });
    const keySet = await rotatedKeySet(undefined, 'RS256');
    await writeFile(file, `${JSON.stringify(keySet, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
  }
  return file;
}
