import { type CapturedRun, type CliIo, runCaptured } from '../../cli/command-runner';

export interface CliRun extends CapturedRun {
  /** stdout as JSON, for `--json` runs. */
  json<T = Record<string, unknown>>(): T;
}

/** Runs a CLI in-process, its output kept in memory, with `env` on top of the test process's environment. */
export async function runCli(
  run: (argv: readonly string[], io: CliIo) => Promise<number>,
  argv: readonly string[],
  env: Record<string, string> = {},
): Promise<CliRun> {
  const captured = await runCaptured(run, argv, { ...process.env, ...env });
  return { ...captured, json: <T>() => JSON.parse(captured.stdout) as T };
}
