import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CliError, NotFoundError, UsageError } from './command-runner';

/** A deployed guichet stack, reached with the caller's AWS credentials. */
export interface StackTarget {
  readonly stack: string;
  /** Unset: the SDK's default (AWS_REGION, then the profile). */
  readonly region?: string;
}

/** The `--stack` and `--region` options; undefined means the local store. */
export function stackTargetFrom(options: { readonly stack?: string; readonly region?: string }): StackTarget | undefined {
  if (options.stack === undefined) {
    if (options.region !== undefined) throw new UsageError('--region only applies with --stack');
    return undefined;
  }
  if (!options.stack) throw new UsageError('--stack needs a stack name');
  return { stack: options.stack, region: options.region || undefined };
}

/** One output of the stack, from CloudFormation DescribeStacks. */
export async function stackOutput(target: StackTarget, outputKey: string): Promise<string> {
  const client = new CloudFormationClient({ region: target.region });
  try {
    const { Stacks: stacks } = await client.send(new DescribeStacksCommand({ StackName: target.stack }));
    const value = stacks?.[0]?.Outputs?.find((output) => output.OutputKey === outputKey)?.OutputValue;
    if (!value) throw new CliError(`stack ${target.stack} has no output ${outputKey}: is it a guichet stack, deployed from this version?`);
    return value;
  } catch (error) {
    // CloudFormation answers an unknown stack with a generic ValidationError.
    if (error instanceof Error && error.name === 'ValidationError' && /does not exist/.test(error.message)) {
      throw new NotFoundError(`stack ${target.stack} not found${target.region ? ` in ${target.region}` : ''}`);
    }
    throw error;
  } finally {
    client.destroy();
  }
}
