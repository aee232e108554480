import { fork } from 'node:child_process';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { CreateTableCommand, type CreateTableCommandInput, DynamoDBClient, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { IntrinsicResolver } from '../intrinsics';
import { resourcesOfType, type StackTemplate } from '../stack-template';
import { AwsServiceError, type LocalAwsAccount, readBody } from './calls';

/**
 * The local DynamoDB API: a DynamoDB engine (dynalite in a process of its own, or any DynamoDB API named by
 * DYNAMODB_ENDPOINT, such as DynamoDB Local) behind a front that checks each function's calls against its
 * role, as IAM does on AWS, and can inject failures for tests.
 */
export interface DynamoDbEngine {
  readonly endpoint: string;
  /** dynalite has no TTL deletion (guichet checks expiry on read anyway); DynamoDB Local has. */
  readonly description: string;
  close(): Promise<void>;
}

const ERROR_TYPE_PREFIX = 'com.amazonaws.dynamodb.v20120810#';

export async function startDynamoDbEngine(externalEndpoint: string | undefined): Promise<DynamoDbEngine> {
  if (externalEndpoint) {
    return {
      endpoint: externalEndpoint.replace(/\/+$/, ''),
      description: `external DynamoDB API at ${externalEndpoint}`,
      close: async () => {},
    };
  }
  const child = fork(path.join(__dirname, 'dynalite-process.cjs'), { execArgv: [], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('message', (message: { port: number }) => resolve(message.port));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`the embedded DynamoDB engine (dynalite) exited with code ${code}`)));
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    description: 'dynalite, in memory, in its own process',
    // The engine may be gone already: a Ctrl+C or a SIGTERM to the process group reaches it too.
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill();
      }),
  };
}

/** The front every caller reaches (`AWS_ENDPOINT_URL_DYNAMODB`, and `DYNAMODB_PORT` for the CLI). */
export function createDynamoDbFront(account: LocalAwsAccount, engine: DynamoDbEngine): Server {
  const engineUrl = new URL(engine.endpoint);
  const tableArn = (name: string) => `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${name}`;

  const forward = (request: IncomingMessage, body: Buffer, response: ServerResponse) => {
    const proxied = httpRequest(
      {
        hostname: engineUrl.hostname,
        port: engineUrl.port,
        path: request.url,
        method: request.method,
        headers: { ...request.headers, host: engineUrl.host, 'content-length': String(body.length) },
      },
      (answer) => {
        response.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(response);
      },
    );
    proxied.on('error', (error) =>
      sendError(response, new AwsServiceError('ServiceUnavailableException', `the DynamoDB engine failed: ${error.message}`, 503)),
    );
    proxied.end(body);
  };

  return createServer((request, response) => {
    readBody(request)
      .then(async (body) => {
        const operation = String(request.headers['x-amz-target'] ?? '').split('.')[1] ?? '';
        const input = body.length > 0 ? (JSON.parse(body.toString('utf8')) as DynamoDbInput) : {};
        await account.authorize(request, 'dynamodb', operation, resourcesOf(input, tableArn), { response });
        forward(request, body, response);
      })
      .catch((error: unknown) =>
        sendError(response, error instanceof AwsServiceError ? error : new AwsServiceError('InternalServerError', String(error), 500)),
      );
  });
}

interface DynamoDbInput {
  readonly TableName?: string;
  readonly IndexName?: string;
  readonly RequestItems?: Record<string, unknown>;
  readonly TransactItems?: Record<string, { TableName?: string }>[];
}

/** The ARNs a DynamoDB call acts on, as IAM sees them: the table, or the index a Query or Scan reads. */
function resourcesOf(input: DynamoDbInput, tableArn: (name: string) => string): string[] {
  if (input.TableName) return [`${tableArn(input.TableName)}${input.IndexName ? `/index/${input.IndexName}` : ''}`];
  if (input.RequestItems) return Object.keys(input.RequestItems).map(tableArn);
  if (input.TransactItems)
    return input.TransactItems.flatMap((item) => Object.values(item).map((action) => tableArn(action.TableName ?? '')));
  return [tableArn('*')];
}

function sendError(response: ServerResponse, error: AwsServiceError): void {
  if (response.headersSent) return void response.destroy();
  response.writeHead(error.status, { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-errortype': error.type });
  response.end(JSON.stringify({ __type: `${ERROR_TYPE_PREFIX}${error.type}`, message: error.message }));
}

/**
 * Creates the template's tables in the engine (keys, indexes and TTL as declared) and defines what `Ref` and
 * `Fn::GetAtt` return for them. A table that exists already (a persistent DynamoDB Local) is kept, as a
 * redeploy would keep it.
 */
export async function createTables(
  template: StackTemplate,
  resolver: IntrinsicResolver,
  account: LocalAwsAccount,
  engine: DynamoDbEngine,
  tableNamePrefix: string,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: engine.endpoint,
    region: account.region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    for (const [logicalId, table] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
      const properties = resolver.resolve(table.Properties, logicalId) as CreateTableCommandInput & {
        TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean };
      };
      const name = properties.TableName ?? `${tableNamePrefix}-${logicalId}`;
      await client
        .send(
          new CreateTableCommand({
            TableName: name,
            KeySchema: properties.KeySchema,
            AttributeDefinitions: properties.AttributeDefinitions,
            GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes,
            BillingMode: properties.BillingMode ?? 'PAY_PER_REQUEST',
          }),
        )
        .catch((error: Error) => {
          if (error.name !== 'ResourceInUseException') throw error;
        });
      if (properties.TimeToLiveSpecification?.Enabled)
        await enableTimeToLive(client, name, properties.TimeToLiveSpecification.AttributeName);
      const arn = `arn:aws:dynamodb:${account.region}:${account.accountId}:table/${name}`;
      resolver.define(logicalId, { ref: name, attributes: { Arn: arn } });
    }
  } finally {
    client.destroy();
  }
}

async function enableTimeToLive(client: DynamoDBClient, table: string, attribute: string): Promise<void> {
  try {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: table, TimeToLiveSpecification: { AttributeName: attribute, Enabled: true } }),
    );
  } catch (error) {
    // dynalite has no TTL; DynamoDB Local refuses a second enabling of a table it kept.
    const name = (error as Error).name;
    if (name !== 'UnknownOperationException' && name !== 'ValidationException') throw error;
  }
}
