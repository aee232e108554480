import type { Server } from 'node:http';
import { CreateTableCommand, DynamoDBClient, type CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';
import { PARTITION_KEY, TABLES, TABLE_NAMES, type TableDefinition, type TableName } from '../lambdas/tables';

/** Credentials the local DynamoDB API accepts; nothing here ever reaches AWS. */
export const LOCAL_AWS_ENV = {
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'local',
  AWS_SECRET_ACCESS_KEY: 'local',
} as const;

export function localTableName(table: TableName): string {
  return `guichet-local-${table}`;
}

/** Table definitions as CreateTable calls: the same list the CDK stack deploys. */
export function createTableInputs(): CreateTableCommandInput[] {
  return TABLE_NAMES.map((table) => {
    const definition: TableDefinition = TABLES[table];
    const indexes = definition.indexes ?? [];
    const attributes = [PARTITION_KEY, ...indexes.map((index) => index.partitionKey)];
    return {
      TableName: localTableName(table),
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
      AttributeDefinitions: attributes.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      GlobalSecondaryIndexes: indexes.length
        ? indexes.map((index) => ({
            IndexName: index.name,
            KeySchema: [{ AttributeName: index.partitionKey, KeyType: 'HASH' }],
            Projection: { ProjectionType: 'KEYS_ONLY' },
          }))
        : undefined,
    };
  });
}

export interface LocalDynamoDb {
  readonly endpoint: string;
  /** Environment that points the handlers' SDK clients at this store and names its tables. */
  readonly env: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/** Starts an in-memory dynalite on 127.0.0.1:port (0 picks a free port) with every guichet table. */
export async function startLocalDynamoDb(port: number): Promise<LocalDynamoDb> {
  const server: Server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`;
  const client = new DynamoDBClient({ endpoint, region: LOCAL_AWS_ENV.AWS_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  for (const input of createTableInputs()) await client.send(new CreateTableCommand(input));
  client.destroy();
  const env: Record<string, string> = { ...LOCAL_AWS_ENV, AWS_ENDPOINT_URL_DYNAMODB: endpoint };
  for (const table of TABLE_NAMES) env[TABLES[table].envVar] = localTableName(table);
  return {
    endpoint,
    env,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
