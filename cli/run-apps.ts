import { openApplicationStore } from './application-store';
import { APPS_COMMANDS, type AppsCommand, COMMAND_OPTION_USAGE, COMMAND_OPTIONS } from './apps-commands';
import { type CliIo, type CommandOutput, parseTargetCommandLine, runCommand, TARGET_OPTIONS_USAGE, UsageError } from './command-runner';
import { resolveTarget } from './stack';

/** `npm run apps -- <command> ...`: manages machine-to-machine applications. Returns the exit code. */
export function runApps(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand('apps', argv, io, async (): Promise<CommandOutput> => {
    const { values, positionals } = parseTargetCommandLine(argv, COMMAND_OPTIONS);
    if (values.help) return { json: { usage: USAGE }, text: USAGE };
    const [name, ...args] = positionals;
    if (name === undefined) throw new UsageError('no command given');
    const command = Object.hasOwn(APPS_COMMANDS, name) ? APPS_COMMANDS[name] : undefined;
    if (!command) throw new UsageError(`unknown command "${name}"`);
    checkUsage(name, command, args, Object.keys(values));
    const action = command.prepare(args, values);
    return action(await openApplicationStore(await resolveTarget(values, io.env)));
  });
}

function checkUsage(name: string, command: AppsCommand, args: readonly string[], givenOptions: readonly string[]): void {
  const required = command.arguments.filter((argument) => !argument.startsWith('[')).length;
  if (args.length < required || args.length > command.arguments.length) {
    throw new UsageError(`usage: npm run apps -- ${commandUsage(name, command)}`);
  }
  const foreign = givenOptions.find(
    (option) => Object.hasOwn(COMMAND_OPTIONS, option) && !(command.options as readonly string[]).includes(option),
  );
  if (foreign) throw new UsageError(`${name} does not take --${foreign}`);
}

function commandUsage(name: string, command: AppsCommand): string {
  return [name, ...command.arguments, ...command.options.map((option) => COMMAND_OPTION_USAGE[option])].join(' ');
}

const USAGE = (() => {
  const lines = Object.entries(APPS_COMMANDS).map(([name, command]) => [commandUsage(name, command), command.summary]);
  const width = Math.max(...lines.map(([usage]) => usage.length));
  return [
    'Usage: npm run apps -- <command> [arguments] [--json] [--stack <name> [--region <region>]]',
    '',
    'Commands:',
    ...lines.map(([usage, summary]) => `  ${usage.padEnd(width)}  ${summary}`),
    '',
    'Options:',
    ...TARGET_OPTIONS_USAGE,
    '',
    'Exit codes: 0 done, 1 not found or failed, 2 usage error.',
  ].join('\n');
})();
