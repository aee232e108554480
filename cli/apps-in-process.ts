import { type CapturedRun, runCaptured } from './command-runner';

/**
 * `npm run apps -- <args>` run in this process with `env`, its output kept: how local mode's playground makes its
 * demo applications. The CLI and its AWS SDK clients load on first use, not when local mode starts.
 */
export async function runAppsInProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CapturedRun> {
  const { runApps } = await import('./run-apps');
  return runCaptured(runApps, args, env);
}
