import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { descendantsOf, isRunning } from '../../harness/processes';
import { ADDIN_ORIGIN, ADDIN_SETTINGS } from '../support/addins';

/**
 * `npm start` stops on Ctrl+C (SIGINT to its process group, as a terminal sends it) or SIGTERM (to the group, or
 * to npm alone, as a process manager sends it) within 3 s, whatever connections are open: a keep-alive connection
 * after a call that used DynamoDB, and a long poll in flight. It leaves no process (function environments, the
 * DynamoDB engine) and no port behind. (It once stayed up, port held, until killed.)
 */
const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');
const STOP_WITHIN_MS = 3000;
const STARTED_WITHIN_MS = 150_000;

interface Started {
  readonly child: ChildProcess;
  readonly exited: Promise<number>;
  readonly publicUrl: string;
  readonly ports: readonly number[];
  readonly stateFile: string;
  /** What it printed so far. */
  output(): string;
}

async function startNpmStart(stateDirectory: string): Promise<Started> {
  const child = spawn('npm', ['start'], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      PORT: '0',
      DYNAMODB_PORT: '0',
      DEV_IDP_PORT: '0',
      PLAYGROUND_APP_PORT: '0',
      GUICHET_LOCAL_DIR: stateDirectory,
      ...ADDIN_SETTINGS,
    },
    // A process group of its own, as a shell gives a foreground job.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number>((resolve) => child.once('exit', () => resolve(performance.now())));
  let output = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Press Ctrl+C to stop.')) resolve();
    });
    void exited.then(() => reject(new Error(`npm start exited before it was ready:\n${output}`)));
  });
  const address = (label: string) => new URL(new RegExp(`${label}\\s+(http://\\S+)`).exec(output)![1]);
  const publicUrl = address('API').origin;
  const stateFile = path.join(stateDirectory, `local-${new URL(publicUrl).port}.json`);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { secretsManagerEndpoint: string };
  const urls = [address('API'), address('identity prov.'), address('DynamoDB API'), new URL(state.secretsManagerEndpoint)];
  const ports = urls.map((url) => Number(url.port));
  return { child, exited, publicUrl, ports, stateFile, output: () => output };
}

function send(agent: Agent, url: string, init: { method?: string; headers?: Record<string, string> } = {}) {
  return new Promise<{ status: number; body: string; cookies: string[] }>((resolve, reject) => {
    request(url, { agent, method: init.method ?? 'GET', headers: init.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode!, body, cookies: response.headers['set-cookie'] ?? [] }));
    })
      .on('error', reject)
      .end();
  });
}

/** The environment of the function that serves the long poll, once it runs. */
async function longPollEnvironment(rootPid: number): Promise<number> {
  for (let attempt = 0; attempt < 600; attempt += 1) {
    const found = descendantsOf(rootPid).find((pid) => {
      try {
        return /AWS_LAMBDA_FUNCTION_NAME=[^\0]*AddinSessionsPoll/.test(readFileSync(`/proc/${pid}/environ`, 'latin1'));
      } catch {
        return false;
      }
    });
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('the long poll never reached its function');
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer()
      .once('error', () => resolve(false))
      .listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

describe('stopping npm start', () => {
  let stateDirectory: string;
  let started: Started | undefined;

  beforeEach(async () => {
    stateDirectory = await mkdtemp(path.join(os.tmpdir(), 'guichet-stop-'));
  });
  afterEach(async () => {
    if (started && started.child.exitCode === null && started.child.signalCode === null) process.kill(-started.child.pid!, 'SIGKILL');
    await rm(stateDirectory, { recursive: true, force: true });
  });

  it.each([
    ['Ctrl+C (SIGINT to its process group)', 'SIGINT', true],
    ['SIGTERM to its process group', 'SIGTERM', true],
    ['SIGTERM to npm alone', 'SIGTERM', false],
  ] as const)(
    'stops within 3 s on %s with a keep-alive connection and a long poll open, leaving no process and no port',
    async (_, signal, toGroup) => {
      started = await startNpmStart(stateDirectory);
      const agent = new Agent({ keepAlive: true, maxSockets: 2 });
      try {
        const url = (route: string) => `${started!.publicUrl}${route}`;
        // A call that reads the sessions table, its connection kept open.
        expect((await send(agent, url('/auth/session'), { headers: { authorization: `Bearer ${'a'.repeat(43)}` } })).status).toBe(401);
        const init = await send(agent, url('/addons/sessions/init'), { method: 'POST', headers: { origin: ADDIN_ORIGIN } });
        expect(init.status).toBe(201);
        const sessionCookie = init.cookies[0].split(';')[0];
        const { csrf_token: csrfToken } = JSON.parse(init.body) as { csrf_token: string };
        const longPoll = send(agent, url('/addons/sessions/poll?wait=20'), {
          method: 'POST',
          headers: { cookie: sessionCookie, 'x-csrftoken': csrfToken },
        });
        longPoll.catch(() => undefined);
        await longPollEnvironment(started.child.pid!);
        const processes = [started.child.pid!, ...descendantsOf(started.child.pid!)];
        expect(processes.length).toBeGreaterThan(4);

        const signalled = performance.now();
        process.kill(toGroup ? -started.child.pid! : started.child.pid!, signal);
        const stoppedAfterMs = (await started.exited) - signalled;

        expect(stoppedAfterMs).toBeLessThan(STOP_WITHIN_MS);
        // Stopped in order, not by its last resort.
        expect(started.output()).not.toContain('not stopped within');
        expect(processes.filter(isRunning)).toEqual([]);
        for (const port of started.ports) expect(await portIsFree(port)).toBe(true);
        expect(existsSync(started.stateFile)).toBe(false);
      } finally {
        agent.destroy();
      }
    },
    STARTED_WITHIN_MS,
  );
});
