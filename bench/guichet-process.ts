import { TABLE_NAMES, TABLES } from '../lambdas/tables';
import { tableNameOutputKey } from '../lib/naming';
import { startLocalGuichet } from '../local/start';
import { announceReady, serveParent } from './child-process';
import type { OperationCounts } from './dynamodb-operations';

/** What the parent learns from the local guichet it started. */
export interface GuichetReady {
  readonly publicUrl: string;
  readonly dynamoDbEndpoint: string;
  /** Table names by their functions' variable, from the stack outputs. */
  readonly tableNames: Readonly<Record<string, string>>;
  /** What the operator CLI needs to find this local guichet. */
  readonly cliEnv: Readonly<Record<string, string>>;
}

/**
 * Child process: the whole local guichet (the synthesized stack, each function in its own runtime) on loopback,
 * with the functions' DynamoDB calls counted as the local IAM check records them. The parent asks for the counts
 * with `{ kind: 'operations' }`.
 */
async function main(): Promise<void> {
  const guichet = await startLocalGuichet({ ...process.env, PORT: '0', DYNAMODB_PORT: '0', DEV_IDP_PORT: '0', GUICHET_LOCAL_LOG: 'quiet' });
  const counts = (): OperationCounts => {
    const result: Record<string, number> = {};
    for (const call of guichet.account.calls) {
      const [service, operation] = call.action.split(':');
      // guichet reads items with ConsistentRead; a Query of an index is always eventually consistent.
      if (service === 'dynamodb') result[operation === 'Query' ? 'Query (eventually consistent)' : operation] = (result[operation] ?? 0) + 1;
    }
    return result;
  };

  serveParent(
    () => guichet.close(),
    async (message) => {
      if (message.kind === 'operations') return counts();
      throw new Error(`unknown request ${String(message.kind)}`);
    },
  );
  await announceReady({
    publicUrl: guichet.publicUrl,
    dynamoDbEndpoint: guichet.dynamoDbEndpoint,
    tableNames: Object.fromEntries(TABLE_NAMES.map((table) => [TABLES[table].envVar, guichet.outputs[tableNameOutputKey(table)]])),
    cliEnv: { PORT: new URL(guichet.publicUrl).port, ...(process.env.GUICHET_LOCAL_DIR && { GUICHET_LOCAL_DIR: process.env.GUICHET_LOCAL_DIR }) },
  } satisfies GuichetReady);
}

void main();
