import { connect } from 'node:net';
import { paginateScan } from '@aws-sdk/lib-dynamodb';
import type * as repository from '../lambdas/repositories/applications';
import { TABLES } from '../lambdas/tables';
import { LOCAL_AWS_ENV, localTableName } from '../local/local-dynamodb';
import { DEFAULT_PORTS, portFrom } from '../local/ports';
import { CliError, UsageError } from './command-runner';
import { tableNameOutputKey } from '../lib/naming';
import { stackOutput, type StackTarget } from './stack';

/** The applications repository, plus the operator-only listing. */
export type ApplicationStore = Pick<
  typeof repository,
  'findApplication' | 'saveNewApplication' | 'updateApplication' | 'deleteApplication'
> & {
  /** Every application, by name. A Scan: fine for an operator on a small table, never in a Lambda. */
  listApplications(): Promise<repository.ApplicationRecord[]>;
};

/**
 * The applications table of the target: the local store of a running `npm start`, or a deployed stack.
 * The repository reads its table name and endpoint from the environment when first imported, so the
 * environment is set first and the target is fixed for the life of the process.
 */
export async function openApplicationStore(target: StackTarget | undefined, env: NodeJS.ProcessEnv): Promise<ApplicationStore> {
  Object.assign(process.env, target ? await stackEnvironment(target) : await localEnvironment(env));
  const { findApplication, saveNewApplication, updateApplication, deleteApplication } = await import('../lambdas/repositories/applications');
  const { documentClient, tableName } = await import('../lambdas/shared/dynamo');
  return {
    findApplication,
    saveNewApplication,
    updateApplication,
    deleteApplication,
    async listApplications() {
      const records: repository.ApplicationRecord[] = [];
      const pages = paginateScan({ client: documentClient }, { TableName: tableName('applications'), ConsistentRead: true });
      for await (const page of pages) records.push(...((page.Items ?? []) as repository.ApplicationRecord[]));
      return records.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
    },
  };
}

async function stackEnvironment(target: StackTarget): Promise<Record<string, string>> {
  const table = await stackOutput(target, tableNameOutputKey('applications'));
  return { [TABLES.applications.envVar]: table, ...(target.region && { AWS_REGION: target.region }) };
}

async function localEnvironment(env: NodeJS.ProcessEnv): Promise<Record<string, string>> {
  const port = localPort(env);
  await assertListening(port);
  return {
    ...LOCAL_AWS_ENV,
    AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${port}`,
    [TABLES.applications.envVar]: localTableName('applications'),
  };
}

function localPort(env: NodeJS.ProcessEnv): number {
  try {
    const port = portFrom(env, 'DYNAMODB_PORT', DEFAULT_PORTS.DYNAMODB_PORT);
    if (port === 0) throw new Error('DYNAMODB_PORT must name the port of a running `npm start`, not 0');
    return port;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** Fails at once with a hint, where the SDK would retry a refused connection and then report it obscurely. */
function assertListening(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve();
    });
    socket.once('error', () => {
      reject(new CliError(`no local store on 127.0.0.1:${port}: start guichet with \`npm start\` (same DYNAMODB_PORT), or target a deployed stack with --stack <name>`));
    });
  });
}
