import { startChild } from './child-process';
import type { TokenCpuReady } from './cpu-process';

export type TokenCpu = TokenCpuReady;

/** Handler CPU per token with storage excluded, measured in a fresh process with the local mode's environment. */
export async function measureTokenCpu(env: Readonly<Record<string, string>>): Promise<TokenCpu> {
  const child = await startChild<TokenCpuReady>('cpu-process.ts', env);
  await child.close();
  return child.ready;
}
