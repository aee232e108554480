import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_PORTS, portFrom } from '../common/ports';
import { localStateFile, removeLocalState, writeLocalState } from '../common/state-file';
import { EXAMPLE_PRODUCT_ROUTE } from '../lambdas/examples/routes';
import { contextFromEnvironment, lambdaSettingFromEnvironment, localDefaultContext } from '../lib/settings-context';
import { LocalAwsAccount } from './aws/calls';
import { createDynamoDbFront, createTables, type DynamoDbEngine, startDynamoDbEngine } from './aws/dynamodb';
import { LocalSecretsManager } from './aws/secrets-manager';
import { LocalSqs } from './aws/sqs';
import { createCustomResources } from './custom-resources';
import { type DevIdp, startDevIdp } from './dev-idp';
import { type LocalEventSourceMappings, startEventSourceMappings } from './event-source-mappings';
import { EXAMPLE_PRODUCT, exampleProductContext } from './example-product';
import { httpApiListener, httpApiOf, sendMessage } from './http-api';
import { type Grant, rolePolicies } from './iam';
import { checkIdentityProvider } from './idp-check';
import { IntrinsicResolver } from './intrinsics';
import type { Invocation, LocalFunction } from './lambda/local-function';
import { createLocalFunctions, defineFunctions, runtimeModulesFolder } from './lambda/template-functions';
import { consoleModeFrom, LocalLog } from './local-log';
import { Playground, serveAppOrigin } from './playground/playground';
import { type LocalSchedules, startSchedules } from './schedules';
import { readStackTemplate, resourcesOfType, type StackTemplate } from './stack-template';
import { REPOSITORY_ROOT, synthCacheDirectory, synthesizeStack } from './synth';

/**
 * Local mode: the synthesized stack, run. `npm start` synthesizes the stack (offline, reusing an identical
 * earlier synthesis) with the local settings as context, then runs what the template declares: its tables in a
 * DynamoDB engine, its secrets in a local Secrets Manager, each Lambda function from its bundle in execution
 * environments of its own with exactly its template environment and role, its custom resources and first
 * rotation as CloudFormation runs them at deploy, its scheduled rules on timers, and its HTTP API. The development IdP stands in for the IdP
 * unless OIDC_ISSUER names one. Until all of that is ready the API answers 503 with Retry-After.
 */
export interface LocalGuichet {
  readonly publicUrl: string;
  readonly issuer: string;
  readonly dynamoDbEndpoint: string;
  readonly secretsManagerEndpoint: string;
  readonly sqsEndpoint: string;
  /** The template's queues, for tests that look into them. */
  readonly sqs: LocalSqs;
  /** Set when no OIDC_ISSUER was given and the embedded development IdP runs. */
  readonly devIdp?: DevIdp;
  readonly template: StackTemplate;
  /** The stack outputs, resolved: table names, secret ARNs, the API URL. */
  readonly outputs: Readonly<Record<string, string>>;
  /** Calls of the functions to the local AWS APIs, and failures to inject into them. */
  readonly account: LocalAwsAccount;
  /** By logical id. */
  readonly functions: ReadonlyMap<string, LocalFunction>;
  /** The template's scheduled EventBridge rules, running; stopped by `close`. */
  readonly schedules: LocalSchedules;
  /** The template's SQS event source mappings, polling; stopped by `close`. */
  readonly eventSourceMappings: LocalEventSourceMappings;
  /** What each function's role allows on DynamoDB, Secrets Manager and SQS, by the function's logical id. */
  readonly grants: ReadonlyMap<string, readonly Grant[]>;
  readonly log: LocalLog;
  /** The local state file the operator CLI reads. */
  readonly stateFile: string;
  close(): Promise<void>;
}

/**
 * Runs `npm run apps -- <args>` with `env` and returns its exit code and output: the operator CLI, with which the
 * playground makes its demo applications as an operator would. Local mode is handed it (by bin/local.ts, the tests,
 * the bench) rather than importing cli/, which itself finds a running local guichet through common/state-file.
 */
export type AppsRunner = (
  args: readonly string[],
  env: NodeJS.ProcessEnv,
) => Promise<{ readonly code: number; readonly stdout: string; readonly stderr: string }>;

const REGION = 'eu-west-1';
const ACCOUNT_ID = '000000000000';
const STARTING_RETRY_AFTER_SECONDS = 1;

/** `context` adds CDK context keys that have no environment variable, as `-c` would (the bench lifts throttling so). */
export async function startLocalGuichet(
  env: NodeJS.ProcessEnv,
  context: Readonly<Record<string, unknown>>,
  runApps: AppsRunner,
): Promise<LocalGuichet> {
  const log = new LocalLog(consoleModeFrom(env.GUICHET_LOCAL_LOG));
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    // The API's port is taken first and answers 503 until everything is ready: a request made the instant it
    // opens waits for nothing and breaks nothing.
    let serve: Parameters<typeof createServer>[1] = (_, response) =>
      sendMessage(response, 503, 'Service Unavailable', { 'retry-after': String(STARTING_RETRY_AFTER_SECONDS) });
    const api = createServer((request, response) => serve!(request, response));
    const apiPort = await listen(api, portFrom(env, 'PORT', DEFAULT_PORTS.PORT), 'PORT');
    closers.push(() => closeServer(api));
    const publicUrl = (env.GUICHET_PUBLIC_URL || `http://127.0.0.1:${apiPort}`).replace(/\/+$/, '');

    const account = new LocalAwsAccount(REGION, ACCOUNT_ID);
    const engine: DynamoDbEngine = await startDynamoDbEngine(env.DYNAMODB_ENDPOINT);
    closers.push(() => engine.close());
    const dynamoDbFront = createDynamoDbFront(account, engine);
    const dynamoDbPort = await listen(dynamoDbFront, portFrom(env, 'DYNAMODB_PORT', DEFAULT_PORTS.DYNAMODB_PORT), 'DYNAMODB_PORT');
    closers.push(() => closeServer(dynamoDbFront));

    const functionsByArn = new Map<string, LocalFunction>();
    const invoke = (functionArn: string, event: unknown, requestId?: string): Promise<Invocation> => {
      const target = functionsByArn.get(functionArn);
      if (!target) throw new Error(`no local function ${functionArn}`);
      return target.invoke(event, requestId);
    };
    const secretsManager = new LocalSecretsManager(account, async (functionArn, event) => {
      const invocation = await invoke(functionArn, event);
      if (invocation.outcome !== 'result')
        throw new Error(
          `rotation step ${event.Step} failed: ${invocation.outcome}${'errorMessage' in invocation ? ` (${invocation.errorMessage})` : ''}`,
        );
    });
    const secretsManagerFront = secretsManager.listen();
    const secretsManagerPort = await listen(secretsManagerFront, 0, 'the local Secrets Manager');
    closers.push(() => closeServer(secretsManagerFront));
    const sqs = new LocalSqs(account);
    const sqsFront = sqs.listen();
    const sqsPort = await listen(sqsFront, 0, 'the local SQS');
    closers.push(() => closeServer(sqsFront));

    const idp = await identityProvider(env, apiPort, publicUrl);
    if (idp.devIdp) closers.push(() => idp.devIdp!.close());

    // The playground's second origin: a product's web app and add-in, calling guichet with CORS.
    let serveApp: Parameters<typeof createServer>[1] = (_, response) => sendMessage(response, 503, 'Service Unavailable');
    const appServer = createServer((request, response) => serveApp!(request, response));
    const appPort = await listen(appServer, portFrom(env, 'PLAYGROUND_APP_PORT', defaultNextPort(env, apiPort, 2)), 'PLAYGROUND_APP_PORT');
    closers.push(() => closeServer(appServer));
    const appOrigin = `http://127.0.0.1:${appPort}`;

    const settings = contextFromEnvironment(env);
    const exampleContext = exampleProductContext(settings, appOrigin);
    const assembly = await synthesizeStack({
      ...localDefaultContext(),
      corsOrigins: appOrigin,
      ...settings,
      ...exampleContext,
      oidcIssuer: idp.issuer,
      oidcClientId: idp.clientId,
      ...context,
    });
    const product =
      exampleContext.exampleProductApi === undefined
        ? undefined
        : { audience: EXAMPLE_PRODUCT.audience, scope: EXAMPLE_PRODUCT.routeScope, path: EXAMPLE_PRODUCT_ROUTE.path };
    serveApp = serveAppOrigin(publicUrl, appOrigin, product);
    const template = readStackTemplate(assembly);
    const resolver = new IntrinsicResolver({ region: REGION, accountId: ACCOUNT_ID, stackName: template.stackName });

    await createTables(template, resolver, account, engine, `${template.stackName}-${apiPort}`);
    secretsManager.createFromTemplate(template, resolver);
    const sqsEndpoint = `http://127.0.0.1:${sqsPort}`;
    sqs.createFromTemplate(template, resolver, sqsEndpoint);
    defineFunctions(template, resolver, account);
    defineApi(template, resolver, publicUrl);
    defineOthers(template, resolver, account);
    // The operator's step after a deploy: the IdP client secret goes into its secret.
    if (idp.clientSecret !== undefined)
      secretsManager.putValue(
        resolver.resolveString({ Ref: logicalIdOf(template, 'AWS::SecretsManager::Secret', 'OidcClientSecret') }, 'OidcClientSecret'),
        idp.clientSecret,
      );

    const endpoints = {
      dynamoDb: `http://127.0.0.1:${dynamoDbPort}`,
      secretsManager: `http://127.0.0.1:${secretsManagerPort}`,
      sqs: sqsEndpoint,
    };
    const cacheDirectory = synthCacheDirectory(env);
    const policies = rolePolicies(template, resolver);
    const functions = await createLocalFunctions(
      template,
      resolver,
      account,
      policies,
      endpoints,
      log,
      await runtimeModulesFolder(cacheDirectory, REPOSITORY_ROOT),
    );
    for (const [arn, local] of functions) functionsByArn.set(arn, local);
    closers.push(async () => {
      await Promise.all([...functions.values()].map((local) => local.close()));
    });

    secretsManager.scheduleRotations(template, resolver);
    await createCustomResources(template, resolver, invoke);
    await secretsManager.rotateImmediately(template, resolver);
    const schedules = startSchedules(template, resolver, account, invoke);
    closers.push(async () => schedules.stop());
    const mappingContext = { account, policies, functions: [...functions.values()], sqsEndpoint };
    const eventSourceMappings = await startEventSourceMappings(template, resolver, mappingContext);
    closers.push(() => eventSourceMappings.stop());

    const outputs = resolveOutputs(template, resolver);
    const playground = new Playground({
      publicUrl,
      issuer: idp.issuer,
      appOrigin,
      nativeAppScheme: lambdaSettingFromEnvironment('nativeAppRedirectSchemes', env, publicUrl)[0],
      runApps: (args) => runApps(args, { ...env, PORT: String(apiPort) }),
      product,
    });
    const stateFile = localStateFile(env, apiPort);
    await writeLocalState(stateFile, {
      pid: process.pid,
      publicUrl,
      region: REGION,
      dynamoDbEndpoint: endpoints.dynamoDb,
      secretsManagerEndpoint: endpoints.secretsManager,
      sqsEndpoint,
      outputs,
    });
    closers.push(() => removeLocalState(stateFile));

    serve = httpApiListener(httpApiOf(template, resolver), {
      invoke,
      serveOther: (request, response) => playground.serve(request, response),
      rewrite: (result) => playground.rewrite(result),
      onRequest: (line) => log.request(line),
    });

    return {
      publicUrl,
      issuer: idp.issuer,
      dynamoDbEndpoint: endpoints.dynamoDb,
      secretsManagerEndpoint: endpoints.secretsManager,
      sqsEndpoint,
      sqs,
      devIdp: idp.devIdp,
      template,
      outputs,
      account,
      functions: new Map([...functions.values()].map((local) => [local.definition.logicalId, local])),
      schedules,
      eventSourceMappings,
      grants: new Map(
        [...functions.values()].map((local) => [
          local.definition.logicalId,
          policies.get(local.definition.roleId)!.grants(['dynamodb:', 'secretsmanager:', 'sqs:']),
        ]),
      ),
      log,
      stateFile,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

interface IdentityProvider {
  readonly issuer: string;
  readonly clientId: string;
  /** What the operator puts into the IdP client secret's secret after the deploy. */
  readonly clientSecret?: string;
  readonly devIdp?: DevIdp;
}

/** OIDC_ISSUER's IdP, or the development IdP on DEV_IDP_PORT (default PORT + 1) with guichet registered. */
async function identityProvider(env: NodeJS.ProcessEnv, apiPort: number, publicUrl: string): Promise<IdentityProvider> {
  if (env.OIDC_ISSUER) {
    const issuer = env.OIDC_ISSUER.replace(/\/+$/, '');
    if (!env.OIDC_CLIENT_ID) throw new Error("OIDC_ISSUER is set but OIDC_CLIENT_ID is not: give guichet's client id at that IdP");
    await checkIdentityProvider(issuer);
    return { issuer, clientId: env.OIDC_CLIENT_ID, clientSecret: env.OIDC_CLIENT_SECRET };
  }
  const port = portFrom(env, 'DEV_IDP_PORT', defaultNextPort(env, apiPort, 1));
  const devIdp = await startDevIdp({
    port,
    guichetPublicUrl: publicUrl,
    postLogoutOrigins: lambdaSettingFromEnvironment('returnToOrigins', env, publicUrl),
  }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE'
      ? new Error(`port ${port} (DEV_IDP_PORT, the development IdP) is in use: free it or set DEV_IDP_PORT`)
      : error;
  });
  return { issuer: devIdp.issuer, clientId: devIdp.clientId, clientSecret: devIdp.clientSecret, devIdp };
}

/** The ports of local mode follow PORT (PORT + 1, PORT + 2), or are picked freely when PORT is 0. */
function defaultNextPort(env: NodeJS.ProcessEnv, apiPort: number, offset: number): number {
  return portFrom(env, 'PORT', DEFAULT_PORTS.PORT) === 0 ? 0 : apiPort + offset;
}

/** The API's `Ref` and its endpoint: the local server's public URL. */
function defineApi(template: StackTemplate, resolver: IntrinsicResolver, publicUrl: string): void {
  for (const [logicalId] of resourcesOfType(template, 'AWS::ApiGatewayV2::Api')) {
    resolver.define(logicalId, { ref: 'local', attributes: { ApiEndpoint: publicUrl, ApiId: 'local' } });
  }
}

/** Every other resource (log groups, roles, alarms…): names and ARNs that policies and outputs may mention. */
function defineOthers(template: StackTemplate, resolver: IntrinsicResolver, account: LocalAwsAccount): void {
  for (const [logicalId, resource] of Object.entries(template.resources)) {
    if (resolver.has(logicalId)) continue;
    const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'local';
    const name = `${template.stackName}-${logicalId}`;
    resolver.define(logicalId, { ref: name, attributes: { Arn: `arn:aws:${service}:${account.region}:${account.accountId}:${name}` } });
  }
}

function logicalIdOf(template: StackTemplate, type: string, prefix: string): string {
  const found = resourcesOfType(template, type).find(([logicalId]) => logicalId.startsWith(prefix));
  if (!found) throw new Error(`the template has no ${type} named ${prefix}…`);
  return found[0];
}

function resolveOutputs(template: StackTemplate, resolver: IntrinsicResolver): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template.outputs).map(([name, output]) => [name, resolver.resolveString(output.Value, `output ${name}`)]),
  );
}

function listen(server: Server, port: number, setting: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE' ? new Error(`port ${port} (${setting}) is in use: free it or set ${setting} to another port`) : error,
      );
    });
    server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
