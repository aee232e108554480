import type { CliIo } from '../../cli/command-runner';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout as JSON, for `--json` runs. */
  json<T = Record<string, unknown>>(): T;
}

/** Runs a CLI in-process, its output kept in memory, with `env` on top of the test process's environment. */
export async function runCli(
  run: (argv: readonly string[], io: CliIo) => Promise<number>,
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
    env: { ...process.env, ...env },
  };
  const code = await run(argv, io);
  return { code, stdout, stderr, json: <T>() => JSON.parse(stdout) as T };
}
