import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { JWK } from 'jose';
import { localStateFile, writeLocalState } from '../../common/state-file';
import { QUEUES } from '../../lambdas/queues';
import { ROUTES, type RouteDefinition } from '../../lambdas/routes';
import { SECRETS } from '../../lambdas/secrets';
import { firstKeySet } from '../../lambdas/shared/signing-key-rotation';
import { PARTITION_KEY, TABLE_NAMES, TABLES, type TableDefinition } from '../../lambdas/tables';
import { tableNameOutputKey } from '../../lib/naming';
import { splitRequestTarget, toApiGatewayEvent, writeApiGatewayResult } from '../../local/api-gateway-event';
import { LocalAwsAccount } from '../../local/aws/calls';
import { createDynamoDbFront, startDynamoDbEngine } from '../../local/aws/dynamodb';
import { LocalSecretsManager } from '../../local/aws/secrets-manager';
import { LocalSqs } from '../../local/aws/sqs';
import { type DevIdp, startDevIdp } from '../../local/dev-idp';
import { lambdaContext } from './api-event';
import { LocalStore } from './local-store';

/**
 * Integration tests run the handlers in this process, from their sources, against the real dependencies on
 * loopback: the DynamoDB engine and the local Secrets Manager of local mode (reached through the AWS SDK, as
 * deployed), and the development IdP. The handlers' environment holds every table and secret, as no deployed
 * function's does: what a function may touch is the end-to-end tests' business, which run the synthesized
 * stack. A small HTTP server routes the route table to the same handlers for the tests that need URLs (an IdP
 * redirect, the JWKS). Import handlers only after `startIntegration` resolved.
 */
export interface InProcessGuichet {
  readonly publicUrl: string;
  readonly issuer: string;
  readonly dynamoDbEndpoint: string;
  readonly secretsManagerEndpoint: string;
  /** The local SQS and its two queues, the delivery queue redriving to the failed deliveries as the stack's does. */
  readonly sqs: LocalSqs;
  /** The signing key set in the signing-keys secret. */
  readonly signingKeys: { readonly keys: readonly JWK[] };
  /** Set unless OIDC_ISSUER names another IdP. */
  readonly devIdp?: DevIdp;
  readonly secrets: LocalSecretsManager;
  /** The local AWS APIs' account: failures to inject into the handlers' calls. */
  readonly account: LocalAwsAccount;
  close(): Promise<void>;
}

export interface Integration {
  readonly guichet: InProcessGuichet;
  readonly store: LocalStore;
}

const REGION = 'eu-west-1';
const LOCAL_CREDENTIALS = { AWS_ACCESS_KEY_ID: 'local', AWS_SECRET_ACCESS_KEY: 'local' };

export async function startIntegration(env: Record<string, string> = {}): Promise<Integration> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer();
  };
  try {
    const account = new LocalAwsAccount(REGION, '000000000000');
    const engine = await startDynamoDbEngine(undefined);
    closers.push(() => engine.close());
    const dynamoDb = await listen(createDynamoDbFront(account, engine));
    closers.push(() => closeServer(dynamoDb.server));
    const tables = await createTables(engine.endpoint);

    const secrets = new LocalSecretsManager(account, async () => {
      throw new Error('no rotation in integration tests');
    });
    const secretsManager = await listen(secrets.listen());
    closers.push(() => closeServer(secretsManager.server));
    const sqs = new LocalSqs(account);
    const sqsFront = await listen(sqs.listen());
    closers.push(() => closeServer(sqsFront.server));
    const failed = sqs.createQueue('guichet-integration-failedLogoutDeliveries', {}, sqsFront.url);
    const deliveries = sqs.createQueue(
      'guichet-integration-logoutDeliveries',
      { VisibilityTimeout: 60, RedrivePolicy: { deadLetterTargetArn: failed.arn, maxReceiveCount: 1000 } },
      sqsFront.url,
    );

    const api = await listen(createServer());
    closers.push(() => closeServer(api.server));
    const publicUrl = `http://127.0.0.1:${api.port}`;
    const devIdp = env.OIDC_ISSUER
      ? undefined
      : await startDevIdp({ port: 0, guichetPublicUrl: publicUrl, postLogoutOrigins: [publicUrl] });
    if (devIdp) closers.push(() => devIdp.close());

    const signingKeys = await firstKeySet('RS256', Math.floor(Date.now() / 1000));
    Object.assign(process.env, {
      AWS_REGION: REGION,
      ...LOCAL_CREDENTIALS,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDb.url,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.url,
      AWS_ENDPOINT_URL_SQS: sqsFront.url,
      GUICHET_PUBLIC_URL: publicUrl,
      ...tables,
      [QUEUES.logoutDeliveries.urlEnvVar]: deliveries.url,
      [QUEUES.failedLogoutDeliveries.urlEnvVar]: failed.url,
      [SECRETS.signingKeys.arnEnvVar]: secrets.createSecret('signing-keys', JSON.stringify(signingKeys)),
      [SECRETS.addinCsrfKey.arnEnvVar]: secrets.createSecret('addins-csrf-key', 'integration-csrf-key'),
      [SECRETS.oidcClientSecret.arnEnvVar]: secrets.createSecret(
        'oidc-client-secret',
        devIdp?.clientSecret ?? env.OIDC_CLIENT_SECRET ?? '',
      ),
      ...(devIdp && { OIDC_ISSUER: devIdp.issuer, OIDC_CLIENT_ID: devIdp.clientId }),
      ...env,
    });
    api.server.on('request', routeToHandlers(ROUTES));

    return {
      guichet: {
        publicUrl,
        issuer: process.env.OIDC_ISSUER!,
        dynamoDbEndpoint: dynamoDb.url,
        secretsManagerEndpoint: secretsManager.url,
        sqs,
        signingKeys,
        devIdp,
        secrets,
        account,
        close,
      },
      store: new LocalStore(dynamoDb.url, tables),
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/** The tables of `lambdas/tables.ts` in the engine; returns each table's variable and name. */
async function createTables(endpoint: string): Promise<Record<string, string>> {
  const client = new DynamoDBClient({ endpoint, region: REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const names: Record<string, string> = {};
  for (const table of TABLE_NAMES) {
    const definition: TableDefinition = TABLES[table];
    const indexes = definition.indexes ?? [];
    const name = `guichet-integration-${table}`;
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: PARTITION_KEY, KeyType: 'HASH' }],
        AttributeDefinitions: [PARTITION_KEY, ...indexes.map((index) => index.partitionKey)].map((AttributeName) => ({
          AttributeName,
          AttributeType: 'S',
        })),
        GlobalSecondaryIndexes: indexes.length
          ? indexes.map((index) => ({
              IndexName: index.name,
              KeySchema: [{ AttributeName: index.partitionKey, KeyType: 'HASH' }],
              Projection: { ProjectionType: 'KEYS_ONLY' },
            }))
          : undefined,
      }),
    );
    names[TABLES[table].envVar] = name;
  }
  client.destroy();
  return names;
}

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** Routes `METHOD path` of the route table to the handler modules, loaded on first use. */
function routeToHandlers(routes: readonly RouteDefinition[]) {
  const handlers = new Map<string, Promise<Handler>>();
  return (request: import('node:http').IncomingMessage, response: import('node:http').ServerResponse) => {
    const route = routes.find(
      (candidate) => `${candidate.method} ${candidate.path}` === `${request.method} ${splitRequestTarget(request.url).rawPath}`,
    );
    if (!route) return void response.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not Found"}');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (!handlers.has(route.id))
        handlers.set(
          route.id,
          import(path.join('..', '..', route.entry)).then((module: { handler: Handler }) => module.handler),
        );
      handlers
        .get(route.id)!
        .then((handler) => handler(toApiGatewayEvent(request, Buffer.concat(chunks), `${route.method} ${route.path}`), lambdaContext))
        .then((result) => writeApiGatewayResult(response, result as APIGatewayProxyStructuredResultV2))
        .catch((error: unknown) => {
          process.stderr.write(`[integration] ${route.id}: ${(error as Error).stack}\n`);
          response.writeHead(500).end('{"message":"Internal Server Error"}');
        });
    });
  };
}

async function listen(server: Server): Promise<{ server: Server; port: number; url: string }> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return { server, port, url: `http://127.0.0.1:${port}` };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function invoke(handler: Handler, event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  return (await handler(event, lambdaContext)) as APIGatewayProxyStructuredResultV2;
}

export function jsonBody(result: APIGatewayProxyStructuredResultV2): Record<string, unknown> {
  return JSON.parse(result.body ?? '') as Record<string, unknown>;
}

/**
 * Makes the operator CLI find these tables as it finds a running `npm start`: a local state file in a fresh
 * GUICHET_LOCAL_DIR. Returns the environment the CLI needs.
 */
export async function cliEnvironmentFor(integration: Integration): Promise<Record<string, string>> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'guichet-cli-'));
  const env = { GUICHET_LOCAL_DIR: directory, PORT: '8787' };
  const outputs = Object.fromEntries(TABLE_NAMES.map((table) => [tableNameOutputKey(table), integration.store.name(table)]));
  await writeLocalState(localStateFile(env), {
    pid: process.pid,
    publicUrl: integration.guichet.publicUrl,
    region: REGION,
    dynamoDbEndpoint: integration.guichet.dynamoDbEndpoint,
    secretsManagerEndpoint: integration.guichet.secretsManagerEndpoint,
    outputs,
  });
  return env;
}
