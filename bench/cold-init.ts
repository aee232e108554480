import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { baseLambdaEnvironment } from '../lib/lambda-environment';
import { httpEvent, type HttpEventInit } from '../test/support/api-event';
import type { Bundle } from './bundles';

export interface ColdInitRun {
  /** `require` of the bundle: the Lambda's init. */
  readonly loadMs: number;
  /** The first invocation, with its SDK clients, key imports and connections made on first use. */
  readonly firstRequestMs: number;
  readonly totalMs: number;
}

export interface ColdInit {
  readonly lambda: string;
  /** What the first request was answered (undefined for the rotation Lambda, which answers nothing). */
  readonly statusCode?: number;
  /** With the stack's environment. */
  readonly runs: readonly ColdInitRun[];
  /** The run with the median total. */
  readonly median: ColdInitRun;
}

export const COLD_INIT_RUNS = 5;
const PROBE = path.join(__dirname, 'cold-init-probe.cjs');
const PROBE_TIMEOUT_MS = 20_000;

const secret = () => randomBytes(32).toString('base64url');
const form = (fields: Record<string, string>): HttpEventInit => ({
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});
const json = (body: Record<string, string>, headers: Record<string, string> = {}): HttpEventInit => ({
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

/**
 * The first request of each route: cheap, without valid credentials, but through the handler's main path where
 * one is cheap (so the SDK client and the IdP discovery are part of the cold start). Routes not named here get
 * their bare method and path.
 */
const COLD_REQUESTS: Readonly<Record<string, HttpEventInit>> = {
  AuthCallback: { query: `code=${secret()}&state=${secret()}` },
  AuthSessionExchange: json({ code: secret(), code_verifier: secret() }),
  AuthSession: { headers: { authorization: `Bearer ${secret()}` } },
  AuthLogout: { headers: { authorization: `Bearer ${secret()}` } },
  AuthBackchannelLogout: form({ logout_token: 'not.a.jwt' }),
  AddonsSessionsPoll: { cookies: [`guichet_addons_sid=${secret()}`], headers: { 'x-csrftoken': secret() } },
  AddonsSessionsExchange: json({ transit_token: secret() }, { authorization: `Bearer ${secret()}` }),
  OAuthToken: form({ grant_type: 'client_credentials' }),
  ExternalApiMe: { headers: { authorization: 'Bearer not-a-jwt' } },
};

/** A rotation step for a version that is already current: the handler asks Secrets Manager, then does nothing. */
const ROTATION_TOKEN = 'bench-version';
const ROTATION_EVENT = {
  SecretId: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:guichet-bench-signing-keys',
  ClientRequestToken: ROTATION_TOKEN,
  Step: 'createSecret',
};

/**
 * Cold init of every Lambda: a fresh Node process per run loads its bundle and handles one request, with the
 * environment local mode gives the handlers plus what the stack gives every Lambda. The runs go round-robin
 * over the Lambdas, so a slow moment of the machine does not land on one Lambda only.
 */
export async function measureColdInit(bundles: readonly Bundle[], handlerEnv: Readonly<Record<string, string>>): Promise<ColdInit[]> {
  const secretsManager = await startSecretsManagerStub();
  try {
    const env = {
      ...handlerEnv,
      ...baseLambdaEnvironment(),
      SIGNING_ALGORITHM: 'RS256',
      AWS_ENDPOINT_URL_SECRETS_MANAGER: secretsManager.endpoint,
    };
    const runs = bundles.map((): ProbeReport[] => []);
    for (let round = 0; round < COLD_INIT_RUNS; round += 1) {
      for (const [index, bundle] of bundles.entries()) {
        runs[index].push(await probe(bundle, env));
      }
    }
    return bundles.map((bundle, index) => {
      const deployed = runs[index];
      const { statusCode, ...median } = medianBy(deployed, (run) => run.totalMs);
      return {
        lambda: bundle.lambda.id,
        statusCode,
        runs: deployed.map(({ loadMs, firstRequestMs, totalMs }) => ({ loadMs, firstRequestMs, totalMs })),
        median,
      };
    });
  } finally {
    await secretsManager.close();
  }
}

type ProbeReport = ColdInitRun & { readonly statusCode?: number };

function medianBy<T>(values: readonly T[], key: (value: T) => number): T {
  return [...values].sort((a, b) => key(a) - key(b))[Math.floor(values.length / 2)];
}

function coldEvent(bundle: Bundle): unknown {
  const { id, routeKey } = bundle.lambda;
  if (!routeKey) return ROTATION_EVENT;
  const [method, routePath] = routeKey.split(' ');
  return httpEvent({ method, path: routePath, ...COLD_REQUESTS[id] });
}

function probe(bundle: Bundle, env: NodeJS.ProcessEnv): Promise<ProbeReport> {
  return new Promise((resolve, reject) => {
    const child = fork(PROBE, [bundle.file, JSON.stringify(coldEvent(bundle))], {
      env,
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      timeout: PROBE_TIMEOUT_MS,
    });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let report: { loadMs: number; firstRequestMs: number; statusCode?: number } | { error: string } | undefined;
    child.on('message', (message: typeof report) => (report = message));
    child.once('exit', (code) => {
      if (!report) return reject(new Error(`cold init of ${bundle.lambda.id} ended (${code}) without a report:\n${stderr}`));
      if ('error' in report) return reject(new Error(`cold init of ${bundle.lambda.id} failed: ${report.error}`));
      resolve({ ...report, totalMs: report.loadMs + report.firstRequestMs });
    });
  });
}

/**
 * Just enough of Secrets Manager on loopback for the rotation Lambda's first step: DescribeSecret says the
 * version is already current, so the handler stops there.
 */
async function startSecretsManagerStub(): Promise<{ readonly endpoint: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const target = request.headers['x-amz-target'];
      if (target !== 'secretsmanager.DescribeSecret') {
        response.writeHead(400, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify({ __type: 'InvalidRequestException', message: `the bench stub does not do ${target}` }));
        return;
      }
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      response.end(
        JSON.stringify({
          ARN: ROTATION_EVENT.SecretId,
          Name: 'guichet-bench-signing-keys',
          RotationEnabled: true,
          VersionIdsToStages: { [ROTATION_TOKEN]: ['AWSCURRENT'] },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
