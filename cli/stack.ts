import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { type LocalState, readLocalState } from '../common/state-file';
import { CliError, NotFoundError, UsageError } from './command-runner';

/**
 * What the operator CLI works on: a deployed stack, reached with the caller's AWS credentials, or the running
 * local guichet of this environment (GUICHET_LOCAL_DIR and PORT), reached through the local AWS APIs its state
 * file names. Both answer the same questions: a stack output, and how an SDK client reaches the service.
 */
export type Target =
  | { readonly kind: 'stack'; readonly stack: string; readonly region?: string }
  | { readonly kind: 'local'; readonly state: LocalState };

/** The settings of an AWS SDK client for one service of the target. */
export interface ServiceClientConfig {
  readonly region?: string;
  readonly endpoint?: string;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** The `--stack` and `--region` options, or else the local guichet; refuses to guess when none runs. */
export async function resolveTarget(
  options: { readonly stack?: string; readonly region?: string },
  env: NodeJS.ProcessEnv,
): Promise<Target> {
  if (options.stack === undefined) {
    if (options.region !== undefined) throw new UsageError('--region only applies with --stack');
    const { file, state } = await readLocalState(env);
    if (!state) {
      throw new CliError(
        `no local guichet is running for ${file} (GUICHET_LOCAL_DIR and PORT of \`npm start\`): start it with ` +
          '`npm start` in the same environment, or target a deployed stack with --stack <name>',
      );
    }
    return { kind: 'local', state };
  }
  if (!options.stack) throw new UsageError('--stack needs a stack name');
  return { kind: 'stack', stack: options.stack, region: options.region || undefined };
}

export function serviceClientConfig(target: Target, service: 'dynamodb' | 'secretsmanager' | 'sqs'): ServiceClientConfig {
  if (target.kind === 'stack') return { region: target.region };
  const { dynamoDbEndpoint, secretsManagerEndpoint, sqsEndpoint } = target.state;
  const endpoints = { dynamodb: dynamoDbEndpoint, secretsmanager: secretsManagerEndpoint, sqs: sqsEndpoint };
  const endpoint = endpoints[service];
  if (!endpoint) throw new CliError(`the local guichet runs no ${service} API: restart \`npm start\` from this version`);
  // The local APIs take any credentials (letters and digits only, for DynamoDB Local); a call without a
  // function's own is an administrator's.
  return {
    region: target.state.region,
    endpoint,
    credentials: { accessKeyId: 'localOperator', secretAccessKey: 'localOperator' },
  };
}

/** One output of the stack: from CloudFormation DescribeStacks, or resolved by the local guichet. */
export async function stackOutput(target: Target, outputKey: string): Promise<string> {
  if (target.kind === 'local') {
    const value = target.state.outputs[outputKey];
    if (!value) throw new CliError(`the local guichet has no output ${outputKey}: restart \`npm start\` from this version`);
    return value;
  }
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
