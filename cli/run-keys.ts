import { type CliIo, type CommandOutput, parseTargetCommandLine, runCommand, TARGET_OPTIONS_USAGE, UsageError } from './command-runner';
import { rotateSigningKeys } from './key-rotation';
import { resolveTarget } from './stack';

const USAGE = [
  'Usage: npm run keys -- rotate [--json] [--stack <name> [--region <region>]]',
  '',
  'Rotates the keys that sign guichet access tokens: the key published since the last rotation starts signing,',
  "the current one stays published, and a new one is published to sign after the next rotation. The stack's",
  'rotation function makes the key with the algorithm it was deployed with (context signingAlgorithm).',
  'Refused until the next key has been published for SIGNING_KEYS_CACHE_SECONDS plus the longest token lifetime',
  '(at least twice the cache): every verifier must know it, and no key that signed a live token may be dropped.',
  ...TARGET_OPTIONS_USAGE,
].join('\n');

/** `npm run keys -- rotate ...`. Returns the exit code. */
export function runKeys(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand('keys', argv, io, async (): Promise<CommandOutput> => {
    const { values, positionals } = parseTargetCommandLine(argv, {});
    if (values.help) return { json: { usage: USAGE }, text: USAGE };
    const [command, ...rest] = positionals;
    if (command === undefined) throw new UsageError('no command given');
    if (command !== 'rotate') throw new UsageError(`unknown command "${command}"`);
    if (rest.length > 0) throw new UsageError('usage: npm run keys -- rotate');
    const target = await resolveTarget(values, io.env);
    const { secretArn, versionId } = await rotateSigningKeys(target);
    const where = target.kind === 'stack' ? target.stack : 'local';
    return {
      json: { target: where, secret_arn: secretArn, version_id: versionId },
      text:
        target.kind === 'stack'
          ? `Rotation of ${secretArn} requested (version ${versionId}); the stack's rotation function makes the new key.`
          : `Rotated ${secretArn} (version ${versionId}): the local functions sign with the new current key once their key cache (SIGNING_KEYS_CACHE_SECONDS) expires.`,
    };
  });
}
