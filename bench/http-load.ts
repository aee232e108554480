import { randomBytes } from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { basicAuthorization } from '../harness/client-credentials';
import { descendantsOf } from '../harness/processes';
import type { BenchChild } from './child-process';
import { type OperationCounts, operationsPerRequest } from './dynamodb-operations';
import type { GuichetReady } from './guichet-process';
import type { GuichetUnderTest } from './local-guichet';
import { commandLineOf, processCpuMs } from './process-cpu';

/** One kind of request, sent over and over to a server on loopback. */
export interface LoadTarget {
  /** `METHOD /path` as the report names it. */
  readonly name: string;
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Any other answer counts as an error. */
  readonly expectedStatus: number;
}

export interface LoadRun {
  readonly connections: number;
  readonly requests: number;
  /** Answers with another status than expected, and failed connections. */
  readonly errors: number;
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** CPU time a process used during the throughput run, per request answered. */
export interface CpuShare {
  readonly process: string;
  readonly msPerRequest: number;
}

/** Processes whose CPU time a throughput run accounts for, besides the bench's own (the load generator). */
export interface AccountedProcess {
  readonly label: string;
  readonly pids: () => readonly number[];
}

/** Latency alone (one connection: what one Lambda instance sees), then throughput (several connections). */
export interface TargetMeasurement {
  readonly target: string;
  readonly serial: LoadRun;
  readonly concurrent: LoadRun;
  /** Who spent the CPU of the throughput run. */
  readonly cpu: readonly CpuShare[];
}

export interface RouteMeasurement extends TargetMeasurement {
  /** DynamoDB operations one request of this flow costs, counted on the handlers' client. */
  readonly operations: OperationCounts;
  /** The most storage round trips in a row one request made (calls in parallel count once), from the trace. */
  readonly roundTripsInARow: number;
  /** What the route's access tokens are, for a route that answers one. */
  readonly accessTokenFormat?: string;
}

const WARMUP_MS = 500;
const SERIAL_MS = 2000;
const CONCURRENT_MS = 4000;
const CONCURRENT_CONNECTIONS = 8;
const OPERATION_PROBES = 3;

export const SESSION_ROUTE = 'GET /auth/session';
export const TOKEN_ROUTE = 'POST /oauth/token';
export const JWKS_ROUTE = 'GET /.well-known/jwks.json';

/** The representative routes, each with a request that goes through its main path. */
function guichetRouteTargets(guichet: GuichetUnderTest): LoadTarget[] {
  const base = guichet.server.ready.publicUrl;
  const { clientId, clientSecret, scope } = guichet.application;
  return [
    {
      name: SESSION_ROUTE,
      url: `${base}/auth/session`,
      method: 'GET',
      headers: { authorization: `Bearer ${guichet.sessionToken}` },
      expectedStatus: 200,
    },
    {
      name: TOKEN_ROUTE,
      url: `${base}/oauth/token`,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basicAuthorization(clientId, clientSecret) },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope }).toString(),
      expectedStatus: 200,
    },
    { name: JWKS_ROUTE, url: `${base}/.well-known/jwks.json`, method: 'GET', expectedStatus: 200 },
    {
      // A well-formed code that was never issued: consumed (and refused) like a wrong or used one.
      name: 'POST /auth/session-exchange (invalid code)',
      url: `${base}/auth/session-exchange`,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: randomBytes(32).toString('base64url'), code_verifier: randomBytes(32).toString('base64url') }),
      expectedStatus: 400,
    },
  ];
}

/** Sends one request on a keep-alive connection and times it until the whole answer is read. */
export function timedRequest(
  target: LoadTarget,
  agent: Agent,
): Promise<{ readonly status: number; readonly ms: number; readonly body: string }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const body = target.body === undefined ? undefined : Buffer.from(target.body);
    const outgoing = request(
      target.url,
      { method: target.method, agent, headers: { ...target.headers, ...(body && { 'content-length': String(body.length) }) } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, ms: performance.now() - started, body: text }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

export function keepAliveAgent(connections = 1): Agent {
  return new Agent({ keepAlive: true, maxSockets: connections });
}

/** `connections` clients, each sending its next request when the previous one is answered, for `durationMs`. */
async function runLoad(target: LoadTarget, connections: number, durationMs: number): Promise<LoadRun> {
  const agent = keepAliveAgent(connections);
  const latencies: number[] = [];
  let errors = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const answer = await timedRequest(target, agent).catch(() => undefined);
        if (answer?.status !== target.expectedStatus) errors += 1;
        if (answer) latencies.push(answer.ms);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    connections,
    requests: latencies.length,
    errors,
    requestsPerSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
  };
}

/** Nearest-rank percentile of sorted values. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** A warm-up, then the latency run on one connection, then the throughput run on several. */
export async function measureTarget(target: LoadTarget, processes: readonly AccountedProcess[] = []): Promise<TargetMeasurement> {
  await runLoad(target, CONCURRENT_CONNECTIONS, WARMUP_MS);
  const serial = await runLoad(target, 1, SERIAL_MS);
  const cpuOf = () => processes.map(({ pids }) => pids().reduce((sum, pid) => sum + processCpuMs(pid), 0));
  const before = cpuOf();
  const ownBefore = process.cpuUsage();
  const concurrent = await runLoad(target, CONCURRENT_CONNECTIONS, CONCURRENT_MS);
  const own = process.cpuUsage(ownBefore);
  const after = cpuOf();
  const cpu = [
    ...processes.map(({ label }, index) => ({ process: label, msPerRequest: (after[index] - before[index]) / concurrent.requests })),
    { process: 'load generator (the bench)', msPerRequest: (own.user + own.system) / 1000 / concurrent.requests },
  ];
  return { target: target.name, serial, concurrent, cpu };
}

/** The local guichet's own process (API Gateway, local AWS APIs), its functions' environments, and its DynamoDB engine. */
export function guichetProcesses(server: BenchChild<GuichetReady>): AccountedProcess[] {
  const running = (script: string) => () => descendantsOf(server.pid).filter((pid) => commandLineOf(pid).includes(script));
  return [
    { label: 'guichet: API Gateway, local AWS front', pids: () => [server.pid] },
    { label: 'Lambda environments (a process each)', pids: running('runtime.mjs') },
    { label: 'DynamoDB engine (dynalite, own process)', pids: running('dynalite-process') },
  ];
}

/**
 * Each route on the local server: its DynamoDB operations (a few single requests, counted in the guichet
 * process), then its latency and throughput. The targets must already be answerable (session, application).
 */
export async function measureGuichetRoutes(guichet: GuichetUnderTest): Promise<RouteMeasurement[]> {
  const measurements: RouteMeasurement[] = [];
  for (const target of guichetRouteTargets(guichet)) {
    const agent = keepAliveAgent();
    const before = await operationCounts(guichet.server);
    const callsBefore = await guichet.server.request<number>({ kind: 'callsRecorded' });
    let body = '';
    for (let i = 0; i < OPERATION_PROBES; i += 1) {
      const answer = await timedRequest(target, agent);
      if (answer.status !== target.expectedStatus) {
        throw new Error(`${target.name} answered ${answer.status}, not ${target.expectedStatus}: ${answer.body.slice(0, 300)}`);
      }
      body = answer.body;
    }
    const after = await operationCounts(guichet.server);
    const { logicalId } = functionOf(guichet, target);
    const roundTrips = await guichet.server.request<number[]>({ kind: 'roundTrips', logicalId, since: callsBefore });
    agent.destroy();
    const token = (JSON.parse(body) as { access_token?: unknown }).access_token;
    measurements.push({
      ...(await measureTarget(target, guichetProcesses(guichet.server))),
      operations: operationsPerRequest(before, after, OPERATION_PROBES),
      roundTripsInARow: Math.max(0, ...roundTrips),
      ...(typeof token === 'string' && { accessTokenFormat: accessTokenFormat(token) }),
    });
  }
  return measurements;
}

/** The function a target's route invokes (the target's name is its route key, perhaps followed by a remark). */
function functionOf(guichet: GuichetUnderTest, target: LoadTarget) {
  const routeKey = target.name.replace(/ \(.*\)$/, '');
  const found = guichet.server.ready.functions.find((lambda) => lambda.routeKey === routeKey);
  if (!found) throw new Error(`no function serves ${routeKey}`);
  return found;
}

/** The DynamoDB operations the guichet process's handlers made so far. */
export function operationCounts(server: BenchChild<GuichetReady>): Promise<OperationCounts> {
  return server.request<OperationCounts>({ kind: 'operations' });
}

/** `JWT RS256 (at+jwt)` for a signed JWT, `opaque` otherwise. */
export function accessTokenFormat(token: string): string {
  const parts = token.split('.');
  if (parts.length !== 3) return 'opaque';
  const header = JSON.parse(Buffer.from(parts[0], 'base64url').toString('utf8')) as { alg?: string; typ?: string };
  return `JWT ${header.alg}${header.typ ? ` (${header.typ})` : ''}`;
}
