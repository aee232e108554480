import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../lambdas/shared/signing-keys';
import { parseCommandLine, runCommand, UsageError, type CliIo, type CommandOutput } from './command-runner';
import { requestStackKeyRotation, rotateLocalSigningKeys } from './key-rotation';
import { stackTargetFrom } from './stack';

const USAGE = [
  'Usage: npm run keys -- rotate [--alg RS256|ES256] [--json] [--stack <name> [--region <region>]]',
  '',
  'Rotates the keys that sign guichet access tokens: a new current key, the previous one still published.',
  '  locally       rewrites the signing-keys file in GUICHET_LOCAL_DIR (default ~/.guichet); --alg',
  '                defaults to the current key\'s algorithm',
  '  --stack       asks Secrets Manager to rotate the stack\'s signing-keys secret, with your AWS',
  '                credentials; the stack\'s rotation function makes the key with its configured algorithm',
  '  --json        machine-readable output',
].join('\n');

/** `npm run keys -- rotate ...`. Returns the exit code. */
export function runKeys(argv: readonly string[], io: CliIo): Promise<number> {
  return runCommand('keys', argv, io, async (): Promise<CommandOutput> => {
    const { values, positionals } = parseCommandLine({
      args: [...argv],
      options: {
        alg: { type: 'string' },
        json: { type: 'boolean' },
        stack: { type: 'string' },
        region: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      allowPositionals: true,
      strict: true,
    });
    if (values.help) return { json: { usage: USAGE }, text: USAGE };
    const [command, ...rest] = positionals;
    if (command === undefined) throw new UsageError('no command given');
    if (command !== 'rotate') throw new UsageError(`unknown command "${command}"`);
    if (rest.length > 0) throw new UsageError('usage: npm run keys -- rotate [--alg RS256|ES256]');
    const alg = algorithmFrom(values.alg);
    const target = stackTargetFrom(values);

    if (target) {
      if (alg) throw new UsageError("--alg is for local keys: a stack's rotation function uses its configured SIGNING_ALGORITHM");
      const { secretArn, versionId } = await requestStackKeyRotation(target);
      return {
        json: { stack: target.stack, secret_arn: secretArn, version_id: versionId },
        text: `Rotation of ${secretArn} requested (version ${versionId}); the stack's rotation function makes the new key.`,
      };
    }
    const rotation = await rotateLocalSigningKeys(io.env, alg);
    return {
      json: {
        kid: rotation.kid,
        alg: rotation.alg,
        previous_kid: rotation.previousKid,
        next_kid: rotation.nextKid,
        file: rotation.file,
      },
      text:
        `Signing with ${rotation.kid} (${rotation.alg}) in ${rotation.file}; ${rotation.previousKid} is still ` +
        `published, and ${rotation.nextKid} is published to sign after the next rotation.`,
    };
  });
}

function algorithmFrom(text: string | undefined): SigningAlgorithm | undefined {
  if (text === undefined) return undefined;
  if (!SIGNING_ALGORITHMS.includes(text as SigningAlgorithm)) throw new UsageError(`--alg must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
  return text as SigningAlgorithm;
}
