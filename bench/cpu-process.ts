import './import-only-packages';
import { createPrivateKey, type JsonWebKey, type KeyObject, sign } from 'node:crypto';
import { type Profiler, Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { lambdaContext, postEvent } from '../harness/api-events';
import { basicAuthorization } from '../harness/client-credentials';
import type { ApplicationRecord } from '../lambdas/repositories/applications';
import { SECRETS } from '../lambdas/secrets';
import { randomSecret, sha256 } from '../lambdas/shared/crypto';
import { firstKeySet } from '../lambdas/shared/signing-key-rotation';
import { currentSigningJwk } from '../lambdas/shared/signing-keys';
import { TABLES } from '../lambdas/tables';
import { baseLambdaEnvironment } from '../lib/lambda-environment';
import { announceReady } from './child-process';

export interface CpuCost {
  /** CPU time of the whole process (every thread), per operation. */
  readonly cpuMs: number;
  readonly wallMs: number;
}

/** Where the handler's JavaScript thread spent its time, as a sampling profile saw it. */
export interface ProfileShare {
  /** A package, a guichet source file, a part of Node.js, or what V8 does besides (`(garbage collector)`). */
  readonly where: string;
  readonly percent: number;
  /** Per token. */
  readonly ms: number;
}

export interface TokenCpuReady {
  readonly iterations: number;
  /** The bare RS256 signature of a token's header and payload with node:crypto, the same key. */
  readonly signature: CpuCost;
  /** The whole token handler (middleware, form, client authentication, grant, signature, logs, metrics). */
  readonly handler: CpuCost;
  readonly profile: readonly ProfileShare[];
}

const WARMUP = 300;
const ITERATIONS = 2000;
const PROFILE_INTERVAL_US = 50;
const PROFILE_ROWS = 12;
const TABLE_NAME = 'bench';

/**
 * Child process: the CPU one client-credentials token costs the token handler with storage excluded, next to the
 * bare RS256 signature it cannot do without. The handler's document client answers from memory (the application,
 * and the rate-limit counter's updates) and Secrets Manager answers the key set from memory, so what is left is
 * the handler's own work. A sampling profile of the same loop tells where the time goes.
 */
async function main(): Promise<void> {
  const keySet = await firstKeySet('RS256', Math.floor(Date.now() / 1000));
  const signingKey = createPrivateKey({ key: currentSigningJwk(keySet) as JsonWebKey, format: 'jwk' });
  Object.assign(process.env, {
    ...baseLambdaEnvironment(),
    GUICHET_PUBLIC_URL: 'https://guichet.bench.test',
    OIDC_ISSUER: 'https://idp.bench.test',
    OIDC_CLIENT_ID: 'guichet',
    [SECRETS.signingKeys.arnEnvVar]: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:signing-keys',
    ...Object.fromEntries(Object.values(TABLES).map((table) => [table.envVar, TABLE_NAME])),
  });
  SecretsManagerClient.prototype.send = (async (command: unknown) => {
    if (command instanceof GetSecretValueCommand) return { SecretString: JSON.stringify(keySet) };
    throw new Error(`storage is excluded here, yet the token endpoint sent ${(command as object).constructor.name}`);
  }) as never;

  const clientSecret = randomSecret();
  const application: ApplicationRecord = {
    id: 'app_benchBenchBenchBenchBe',
    name: 'Bench',
    active: true,
    scopes: ['calendar:read'],
    domains: [],
    secretHash: sha256(clientSecret),
    createdAt: 0,
    updatedAt: 0,
  };
  const { documentClient } = await import('../lambdas/shared/dynamo');
  documentClient.send = (async (command: unknown) => (command instanceof GetCommand ? { Item: application } : {})) as never;
  const { handler } = await import('../lambdas/handlers/oauth/token');

  const event = postEvent(
    'application/x-www-form-urlencoded',
    new URLSearchParams({ grant_type: 'client_credentials', scope: 'calendar:read' }).toString(),
    {
      path: '/oauth/token',
      headers: { authorization: basicAuthorization(application.id, clientSecret) },
    },
  );
  const token = async () => {
    const result = await handler(event, lambdaContext);
    if (result.statusCode !== 200) throw new Error(`the token handler answered ${result.statusCode}: ${result.body}`);
    return JSON.parse(result.body!).access_token as string;
  };
  const signingInput = Buffer.from((await token()).split('.').slice(0, 2).join('.'));

  const signature = await cpuPerOperation(async () => void signBare(signingInput, signingKey));
  const handlerCost = await cpuPerOperation(token);
  const profile = await profiled(token);
  await announceReady({ iterations: ITERATIONS, signature, handler: handlerCost, profile } satisfies TokenCpuReady);
  process.disconnect();
}

function signBare(input: Buffer, key: KeyObject): Buffer {
  return sign('sha256', input, key);
}

async function cpuPerOperation(work: () => Promise<unknown>): Promise<CpuCost> {
  for (let i = 0; i < WARMUP; i += 1) await work();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i += 1) await work();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuMs: (cpu.user + cpu.system) / 1000 / ITERATIONS, wallMs: wallMs / ITERATIONS };
}

/** The same loop under V8's sampling profiler: self time by where it was spent, idle time left out. */
async function profiled(work: () => Promise<unknown>): Promise<ProfileShare[]> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: PROFILE_INTERVAL_US });
  await session.post('Profiler.start');
  for (let i = 0; i < ITERATIONS; i += 1) await work();
  const { profile } = await session.post('Profiler.stop');
  session.disconnect();
  return summarize(profile);
}

function summarize(profile: Profiler.Profile): ProfileShare[] {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<string, number>();
  profile.samples!.forEach((id, index) => {
    const where = whereOf(nodes.get(id)!.callFrame);
    if (where !== '(idle)') selfUs.set(where, (selfUs.get(where) ?? 0) + profile.timeDeltas![index]);
  });
  const total = [...selfUs.values()].reduce((sum, us) => sum + us, 0);
  return [...selfUs]
    .sort((a, b) => b[1] - a[1])
    .slice(0, PROFILE_ROWS)
    .map(([where, us]) => ({ where, percent: (100 * us) / total, ms: us / 1000 / ITERATIONS }));
}

function whereOf(frame: Profiler.ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName ? `(${functionName.replace(/^\(|\)$/g, '')})` : '(native)';
  const inPackage = url.split('node_modules/')[1];
  if (inPackage) {
    const segments = inPackage.split('/');
    return segments[0].startsWith('@') ? `${segments[0]}/${segments[1]}` : segments[0];
  }
  if (url.startsWith('node:'))
    return url
      .replace(/^node:internal\//, 'node:')
      .split('/')
      .slice(0, 2)
      .join('/');
  return url.replace(/^file:\/\//, '').replace(/^.*?\/(lambdas|test|bench)\//, '$1/');
}

void main();
