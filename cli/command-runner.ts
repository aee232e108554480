import { type ParseArgsConfig, parseArgs } from 'node:util';

/** Where a command reads its environment and writes: the process, or a test's buffers. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  readonly env: NodeJS.ProcessEnv;
}

const EXIT_SUCCESS = 0;
const EXIT_FAILURE = 1;
const EXIT_USAGE = 2;

/** A failure the operator can act on: its message is printed as is, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
    readonly code: string = 'failed',
  ) {
    super(message);
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE, 'usage');
  }
}

export class NotFoundError extends CliError {
  constructor(message: string) {
    super(message, EXIT_FAILURE, 'not_found');
  }
}

/** What a command prints: one result, as JSON for machines and as short text for people. */
export interface CommandOutput {
  readonly json: unknown;
  readonly text: string;
}

/** The options of every command that works on a guichet: which one (`--stack`, `--region`) and how to answer. */
export const TARGET_OPTIONS = {
  json: { type: 'boolean' },
  stack: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** TARGET_OPTIONS as a usage text lists them. */
export const TARGET_OPTIONS_USAGE = [
  '  --json             machine-readable output',
  '  --stack <name>     work on a deployed guichet stack, with your AWS credentials; without it, on the',
  '                     running `npm start` of this environment (same GUICHET_LOCAL_DIR and PORT)',
  "  --region <region>  the stack's region (default: AWS_REGION, then your profile's)",
] as const;

/** `util.parseArgs`, strict, its complaints turned into usage errors. */
export function parseCommandLine<T extends ParseArgsConfig>(config: T) {
  try {
    return parseArgs(config);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** The command line of a command that works on a guichet: TARGET_OPTIONS, its own `options`, then its arguments. */
export function parseTargetCommandLine<const O extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: O) {
  return parseCommandLine({ args: [...argv], options: { ...TARGET_OPTIONS, ...options }, allowPositionals: true, strict: true });
}

/**
 * Runs one command and prints its output or its failure; returns the exit code. `--json` is looked for
 * in the raw arguments so that even a command line that does not parse fails in JSON.
 */
export async function runCommand(
  program: string,
  argv: readonly string[],
  io: CliIo,
  command: () => Promise<CommandOutput>,
): Promise<number> {
  const json = argv.includes('--json');
  // Node 20 is supported for the operator tools, as for `npm start`; the SDK's notice would only be noise.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  try {
    const output = await command();
    io.stdout.write(json ? `${JSON.stringify(output.json, null, 2)}\n` : `${output.text}\n`);
    return EXIT_SUCCESS;
  } catch (error) {
    const failure = error instanceof CliError ? error : new CliError(unexpectedFailure(error));
    if (json) {
      io.stderr.write(`${JSON.stringify({ error: failure.code, message: failure.message })}\n`);
    } else {
      const hint = failure instanceof UsageError ? `\nRun \`npm run ${program} -- --help\` for usage.` : '';
      io.stderr.write(`${program}: ${failure.message}${hint}\n`);
    }
    return failure.exitCode;
  }
}

/** AWS SDK errors name the service's error code, which says more than the message alone. */
function unexpectedFailure(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  return error.name && error.name !== 'Error' && !error.message.startsWith(error.name) ? `${error.name}: ${error.message}` : error.message;
}

/** What a command printed when run in-process with its output kept in memory. */
export interface CapturedRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a CLI in-process with its output kept (the playground's app runner, the tests, the bench). */
export async function runCaptured(
  run: (argv: readonly string[], io: CliIo) => Promise<number>,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): Promise<CapturedRun> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: { write: (text: string) => (stdout += text) }, stderr: { write: (text: string) => (stderr += text) }, env };
  const code = await run(argv, io);
  return { code, stdout, stderr };
}
