import { startLocalGuichet } from '../local/start';
import { announceReady, serveParent } from './child-process';
import { operationLabel, type OperationCounts } from './dynamodb-operations';

/** What the parent learns from the local guichet it started. */
export interface GuichetReady {
  readonly publicUrl: string;
  readonly dynamoDbEndpoint: string;
  /** The environment local mode set for the handlers, as a Lambda would get it. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Child process: the whole local guichet (dynalite, the local API Gateway and the real handlers) on loopback,
 * with the handlers' DynamoDB calls counted. The parent asks for the counts with `{ kind: 'operations' }`.
 */
async function main(): Promise<void> {
  const guichet = await startLocalGuichet({ ...process.env, PORT: '0', DYNAMODB_PORT: '0', DEV_IDP_PORT: '0' });
  // The handlers' own client: the local server loads the handler modules from the same module cache.
  const { documentClient } = await import('../lambdas/shared/dynamo');
  const counts: Record<string, number> = {};
  const send = documentClient.send.bind(documentClient);
  documentClient.send = ((command: Parameters<typeof send>[0], ...rest: unknown[]) => {
    const label = operationLabel(command);
    counts[label] = (counts[label] ?? 0) + 1;
    return (send as (...args: unknown[]) => unknown)(command, ...rest);
  }) as typeof documentClient.send;

  serveParent(
    () => guichet.close(),
    async (message) => {
      if (message.kind === 'operations') return { ...counts } satisfies OperationCounts;
      throw new Error(`unknown request ${String(message.kind)}`);
    },
  );
  await announceReady({
    publicUrl: guichet.publicUrl,
    dynamoDbEndpoint: guichet.dynamoDbEndpoint,
    env: Object.fromEntries(Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined)),
  } satisfies GuichetReady);
}

void main();
