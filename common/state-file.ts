import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_PORTS, portFrom } from './ports';

/**
 * What a running `npm start` tells the operator tools: where its local AWS APIs listen and what its stack outputs
 * resolved to (table names, secret ARNs), as a deployed stack tells them through CloudFormation. One file per
 * local guichet, named after its port, in GUICHET_LOCAL_DIR; removed when it stops.
 */
export interface LocalState {
  readonly pid: number;
  readonly publicUrl: string;
  readonly region: string;
  readonly dynamoDbEndpoint: string;
  readonly secretsManagerEndpoint: string;
  /** Absent in the state of a local guichet from before downstream logout. */
  readonly sqsEndpoint?: string;
  readonly outputs: Readonly<Record<string, string>>;
}

/** Where local mode keeps what other processes must find: outside the repository, never committed. */
export function localStateDirectory(env: NodeJS.ProcessEnv): string {
  return env.GUICHET_LOCAL_DIR || path.join(os.homedir(), '.guichet');
}

export function localStateFile(env: NodeJS.ProcessEnv, port: number = portFrom(env, 'PORT', DEFAULT_PORTS.PORT)): string {
  return path.join(localStateDirectory(env), `local-${port}.json`);
}

export async function writeLocalState(file: string, state: LocalState): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

export async function removeLocalState(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** The state of the local guichet the environment designates, or undefined when none runs there. */
export async function readLocalState(env: NodeJS.ProcessEnv): Promise<{ readonly file: string; readonly state?: LocalState }> {
  const file = localStateFile(env);
  if (!existsSync(file)) return { file };
  const state = JSON.parse(await readFile(file, 'utf8')) as LocalState;
  return { file, state: isAlive(state.pid) ? state : undefined };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
