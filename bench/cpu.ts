import { startChild } from './child-process';
import type { TokenCpuReady } from './cpu-process';

export type TokenCpu = TokenCpuReady;

/** The token handler's CPU per token with storage excluded, and the bare signature's, in a fresh process. */
export async function measureTokenCpu(): Promise<TokenCpu> {
  const child = await startChild<TokenCpuReady>('cpu-process.ts', process.env);
  await child.close();
  return child.ready;
}
