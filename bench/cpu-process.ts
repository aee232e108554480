import { performance } from 'node:perf_hooks';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { ApplicationRecord } from '../lambdas/repositories/applications';
import { randomSecret, sha256 } from '../lambdas/shared/crypto';
import { rotatedKeySet } from '../lambdas/shared/signing-key-rotation';
import { lambdaContext, postEvent } from '../test/support/api-event';
import { basicAuthorization } from '../test/support/applications';
import { announceReady } from './child-process';

export interface CpuCost {
  /** CPU time of the whole process (every thread), per request. */
  readonly cpuMs: number;
  readonly wallMs: number;
}

export interface TokenCpuReady {
  readonly iterations: number;
  /** mintAccessToken alone: building and signing the RFC 9068 JWT. */
  readonly mint: CpuCost;
  /** presentedClient + authenticateClient + grantClientCredentials (minting included). */
  readonly domain: CpuCost;
  /** The deployed handler (middleware, form parsing, rate-limit check, response) around the same work. */
  readonly handler: CpuCost;
}

const WARMUP = 50;
const ITERATIONS = 500;

/**
 * Child process: the CPU one client-credentials token costs with storage excluded. The handlers' document client
 * answers from memory (the application, no rate-limit counter) and the signing keys are in memory, so what is
 * left is authentication, the grant's checks, RS256 signing and, for the handler, its middleware.
 */
async function main(): Promise<void> {
  process.env.SIGNING_KEYS = JSON.stringify(await rotatedKeySet(undefined, 'RS256'));
  delete process.env.SIGNING_KEYS_FILE;
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

  const { documentClient, grantedTable } = await import('../lambdas/shared/dynamo');
  const applications = grantedTable('applications')();
  const rateLimits = grantedTable('rateLimits')();
  documentClient.send = (async (command: unknown) => {
    if (command instanceof GetCommand && command.input.TableName === applications) return { Item: application };
    if (command instanceof GetCommand && command.input.TableName === rateLimits) return {};
    throw new Error(`storage is excluded here, yet the token endpoint sent ${(command as object).constructor.name}`);
  }) as unknown as typeof documentClient.send;

  const { presentedClient, authenticateClient } = await import('../lambdas/domain/client-authentication');
  const { grantClientCredentials } = await import('../lambdas/domain/client-credentials');
  const { appConfig } = await import('../lambdas/shared/config');
  const { signingKeyStore } = await import('../lambdas/shared/signing-keys');
  const { mintAccessToken } = await import('../lambdas/domain/access-tokens');
  const { handler } = await import('../lambdas/handlers/oauth/token');

  const authorization = basicAuthorization(application.id, clientSecret);
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: 'calendar:read' }).toString();
  const form: ReadonlyMap<string, string> = new Map(new URLSearchParams(body));
  const config = appConfig();
  const keys = signingKeyStore(config.signingKeysCacheSeconds);

  const mint = await cpuPerRequest(async () => {
    const key = await keys.currentKey();
    await mintAccessToken({ sub: application.id, clientId: application.id, scope: 'calendar:read', ttlSeconds: 3600 }, key, config);
  });
  const domain = await cpuPerRequest(async () => {
    const authenticated = await authenticateClient(presentedClient(authorization, form));
    await grantClientCredentials(authenticated, form, keys.currentKey, config);
  });
  const event = postEvent('application/x-www-form-urlencoded', body, { path: '/oauth/token', headers: { authorization } });
  const handlerCost = await cpuPerRequest(async () => {
    const result = await handler(event, lambdaContext);
    if (result.statusCode !== 200) throw new Error(`the token handler answered ${result.statusCode}: ${result.body}`);
  });
  await announceReady({ iterations: ITERATIONS, mint, domain, handler: handlerCost } satisfies TokenCpuReady);
  process.disconnect();
}

async function cpuPerRequest(work: () => Promise<void>): Promise<CpuCost> {
  for (let i = 0; i < WARMUP; i += 1) await work();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  for (let i = 0; i < ITERATIONS; i += 1) await work();
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuMs: (cpu.user + cpu.system) / 1000 / ITERATIONS, wallMs: wallMs / ITERATIONS };
}

void main();
