import { DescribeSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runAppsInProcess } from '../cli/apps-in-process';
import { ROUTES } from '../lambdas/routes';
import { TABLE_NAMES, TABLES } from '../lambdas/tables';
import { secretArnOutputKey, tableNameOutputKey } from '../lib/naming';
import { callsByRequest, roundTripsInARow } from '../local/aws/trace';
import { type Invocation, type InvocationReport, LocalFunction } from '../local/lambda/local-function';
import { resourcesOfType } from '../local/stack-template';
import { type LocalGuichet, startLocalGuichet } from '../local/start';
import { announceReady, serveParent } from './child-process';
import type { OperationCounts } from './dynamodb-operations';

/** A function of the synthesized stack as the bench knows it. */
export interface BenchFunction {
  readonly logicalId: string;
  /** The route id, or `SigningKeysRotation`. */
  readonly id: string;
  /** `METHOD /path` for the function of an API route. */
  readonly routeKey?: string;
  /** Set when API Gateway's JWT authorizer checks the route's callers first. */
  readonly jwtAuthorized?: boolean;
  /** The bundle file in the cloud assembly: what deploys. */
  readonly file: string;
}

/** What the parent learns from the local guichet it started. */
export interface GuichetReady {
  readonly publicUrl: string;
  readonly dynamoDbEndpoint: string;
  /** Table names by their functions' variable, from the stack outputs. */
  readonly tableNames: Readonly<Record<string, string>>;
  /** What the operator CLI needs to find this local guichet. */
  readonly cliEnv: Readonly<Record<string, string>>;
  readonly functions: readonly BenchFunction[];
  /** A rotation step for the version that is already current: the rotation Lambda checks it and stops. */
  readonly rotationEvent: { readonly SecretId: string; readonly ClientRequestToken: string; readonly Step: string };
}

/**
 * One cold start in a new execution environment of the local runtime: the bundle's init, its first invocation,
 * then the same invocation again while the environment is warm.
 */
export interface ColdStart {
  /** Lambda's init duration: the runtime's start, then the bundle's load and preparations. */
  readonly initMs: number;
  /** Its part after the runtime's own start. */
  readonly handlerInitMs: number;
  readonly firstRequestMs: number;
  readonly warmMs: readonly number[];
  /** The Node.js the environment ran on. */
  readonly runtimeVersion: string;
  /** The HTTP status the first request was answered, for a route's function. */
  readonly statusCode?: number;
  /** The error the first request ended with, when it did not answer. */
  readonly error?: string;
}

/** A cold start of a function, or of another bundle run with its definition (its floor). */
export interface ColdStartRequest {
  readonly logicalId: string;
  readonly event: unknown;
  /** Another entry than the function's own, run with the function's environment, memory and runtime. */
  readonly file?: string;
  readonly warmRuns: number;
}

/**
 * API Gateway's stage throttling, lifted for the bench: it measures what guichet can do, not the route table's
 * throttles (the token endpoint's default is 50 requests per second).
 */
const LIFTED = { rateLimit: 1_000_000, burstLimit: 1_000_000 };
const BENCH_CONTEXT = {
  defaultThrottleRate: LIFTED.rateLimit,
  defaultThrottleBurst: LIFTED.burstLimit,
  routeThrottles: JSON.stringify(Object.fromEntries(ROUTES.filter((route) => route.throttle).map((route) => [route.id, LIFTED]))),
};

/**
 * Child process: the whole local guichet (the synthesized stack, each function in its own runtime, the DynamoDB
 * engine in a process of its own) on loopback. The parent asks for the functions' DynamoDB calls so far
 * (`operations`, as the local IAM check records them), for the storage round trips in a row of each request a
 * function served since a mark (`callsRecorded`, `roundTrips`, from the per-request trace), and for cold starts
 * (`coldStart`, in a new execution environment of a function or of its floor, beside the ones that serve the API).
 */
async function main(): Promise<void> {
  const guichet = await startLocalGuichet(
    { ...process.env, PORT: '0', DYNAMODB_PORT: '0', DEV_IDP_PORT: '0', GUICHET_LOCAL_LOG: 'quiet' },
    BENCH_CONTEXT,
    runAppsInProcess,
  );
  serveParent(
    () => guichet.close(),
    async (message) => {
      if (message.kind === 'operations') return operationCounts(guichet);
      if (message.kind === 'coldStart') return coldStart(guichet, message as unknown as ColdStartRequest);
      if (message.kind === 'callsRecorded') return guichet.account.calls.length;
      if (message.kind === 'roundTrips') return roundTripsPerRequest(guichet, message.logicalId as string, message.since as number);
      throw new Error(`unknown request ${String(message.kind)}`);
    },
  );
  await announceReady({
    publicUrl: guichet.publicUrl,
    dynamoDbEndpoint: guichet.dynamoDbEndpoint,
    tableNames: Object.fromEntries(TABLE_NAMES.map((table) => [TABLES[table].envVar, guichet.outputs[tableNameOutputKey(table)]])),
    cliEnv: {
      PORT: new URL(guichet.publicUrl).port,
      ...(process.env.GUICHET_LOCAL_DIR && { GUICHET_LOCAL_DIR: process.env.GUICHET_LOCAL_DIR }),
    },
    functions: benchFunctions(guichet),
    rotationEvent: await currentRotationStep(guichet),
  } satisfies GuichetReady);
}

/** Every function of the template, with the API route that invokes it, as the template's routes say. */
function benchFunctions(guichet: LocalGuichet): BenchFunction[] {
  const integrations = new Map(resourcesOfType(guichet.template, 'AWS::ApiGatewayV2::Integration'));
  const routes = new Map<string, { routeKey: string; jwtAuthorized: boolean }>();
  for (const [, route] of resourcesOfType(guichet.template, 'AWS::ApiGatewayV2::Route')) {
    const { RouteKey, Target, AuthorizationType } = route.Properties as {
      RouteKey: string;
      Target: { 'Fn::Join': [string, [string, { Ref: string }]] };
      AuthorizationType?: string;
    };
    const integration = integrations.get(Target['Fn::Join'][1][1].Ref)?.Properties as {
      IntegrationUri: { 'Fn::GetAtt': [string, string] };
    };
    routes.set(integration.IntegrationUri['Fn::GetAtt'][0], { routeKey: RouteKey, jwtAuthorized: AuthorizationType === 'JWT' });
  }
  return [...guichet.functions.values()].map(({ definition }) => {
    const known = ROUTES.find((route) => new RegExp(`^${route.id}Function[0-9A-F]{8}$`).test(definition.logicalId));
    return {
      logicalId: definition.logicalId,
      id: known?.id ?? definition.logicalId.replace(/Function[0-9A-F]{8}$/, ''),
      ...routes.get(definition.logicalId),
      file: definition.file,
    };
  });
}

function operationCounts(guichet: LocalGuichet): OperationCounts {
  const result: Record<string, number> = {};
  for (const call of guichet.account.calls) {
    const [service, operation] = call.action.split(':');
    // guichet reads items with ConsistentRead; a Query of an index is always eventually consistent.
    const label = operation === 'Query' ? 'Query (eventually consistent)' : operation;
    if (service === 'dynamodb') result[label] = (result[label] ?? 0) + 1;
  }
  return result;
}

/** Storage (DynamoDB) round trips in a row of each invocation of a function, from the calls recorded since `since`. */
function roundTripsPerRequest(guichet: LocalGuichet, logicalId: string, since: number): number[] {
  const storage = guichet.account.calls.slice(since).filter((call) => call.action.startsWith('dynamodb:'));
  return [...callsByRequest(storage, logicalId).values()].map(roundTripsInARow);
}

async function coldStart(guichet: LocalGuichet, { logicalId, event, file, warmRuns }: ColdStartRequest): Promise<ColdStart> {
  const serving = guichet.functions.get(logicalId);
  if (!serving) throw new Error(`no function ${logicalId}`);
  const reports: InvocationReport[] = [];
  const fresh = new LocalFunction(
    { ...serving.definition, file: file ?? serving.definition.file },
    { log: () => undefined, report: (report) => reports.push(report) },
  );
  try {
    const invocation = await fresh.invoke(fromNewAddress(event));
    const [report] = reports;
    const started = invocation.outcome === 'result' || (invocation.outcome === 'error' && invocation.phase === 'invoke');
    if (!started || report?.initMs === undefined) throw new Error(`cold start of ${logicalId}: ${JSON.stringify(invocation)}`);
    for (let run = 0; run < warmRuns; run += 1) {
      const warm = await fresh.invoke(fromNewAddress(event));
      if (warm.outcome !== invocation.outcome || statusOf(warm) !== statusOf(invocation)) {
        throw new Error(`${logicalId} answered ${JSON.stringify(warm).slice(0, 300)} warm, not as its first request: not the same request`);
      }
    }
    return {
      initMs: report.initMs,
      handlerInitMs: report.handlerInitMs!,
      firstRequestMs: report.durationMs,
      warmMs: reports.slice(1).map((warm) => warm.durationMs),
      runtimeVersion: report.runtimeVersion!,
      ...(invocation.outcome === 'result' ? { statusCode: statusOf(invocation) } : { error: invocation.errorType }),
    };
  } finally {
    await fresh.close();
  }
}

const statusOf = (invocation: Invocation) =>
  invocation.outcome === 'result' ? (invocation.payload as { statusCode?: number } | undefined)?.statusCode : undefined;

let addresses = 0;

/**
 * An API event from an address of its own (in 198.18.0.0/15, the benchmarking range): each repetition of a request
 * then meets a fresh per-address budget and takes the same path as the first, never the budget's refusal.
 */
function fromNewAddress(event: unknown): unknown {
  const http = (event as { requestContext?: { http?: object } }).requestContext?.http;
  if (!http) return event;
  addresses += 1;
  const sourceIp = `198.${18 + ((addresses >> 16) & 1)}.${(addresses >> 8) & 255}.${addresses & 255}`;
  const { requestContext } = event as { requestContext: { http: object } };
  return { ...(event as object), requestContext: { ...requestContext, http: { ...http, sourceIp } } };
}

async function currentRotationStep(guichet: LocalGuichet): Promise<GuichetReady['rotationEvent']> {
  const secretId = guichet.outputs[secretArnOutputKey('signingKeys')];
  const client = new SecretsManagerClient({
    endpoint: guichet.secretsManagerEndpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  });
  try {
    const { VersionIdsToStages } = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
    const current = Object.entries(VersionIdsToStages ?? {}).find(([, stages]) => stages.includes('AWSCURRENT'))?.[0];
    if (!current) throw new Error('the signing keys secret has no current version');
    return { SecretId: secretId, ClientRequestToken: current, Step: 'createSecret' };
  } finally {
    client.destroy();
  }
}

void main();
