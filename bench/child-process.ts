import { type ChildProcess, fork } from 'node:child_process';
import path from 'node:path';
import { REPOSITORY_ROOT } from './bundles';

/** Replies of a child to the parent's requests carry the request's id. */
type Reply = { readonly id: number } & ({ readonly reply: unknown } | { readonly error: string });

/**
 * A bench process of its own (TypeScript through tsx), so what it measures or serves has a core and an event loop
 * to itself and its logs stay out of the report: its stdout is discarded, its stderr kept for error messages.
 * It announces itself with one message (`ready`), then answers requests if it serves any.
 */
export interface BenchChild<Ready> {
  readonly pid: number;
  readonly ready: Ready;
  request<T>(message: Record<string, unknown>): Promise<T>;
  close(): Promise<void>;
}

const STDERR_KEPT = 4000;
const READY_TIMEOUT_MS = 60_000;

export async function startChild<Ready>(module: string, env: NodeJS.ProcessEnv): Promise<BenchChild<Ready>> {
  const child: ChildProcess = fork(path.join(__dirname, module), [], {
    cwd: REPOSITORY_ROOT,
    env,
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-STDERR_KEPT)));
  const failure = (what: string) => new Error(`${module} ${what}${stderr ? `:\n${stderr}` : ''}`);

  const pending = new Map<number, { resolve(reply: unknown): void; reject(error: Error): void }>();
  let nextId = 0;
  const ready = await new Promise<Ready>((resolve, reject) => {
    const timer = setTimeout(() => reject(failure(`was not ready within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
    child.on('message', (message: Reply | { readonly ready: Ready }) => {
      if ('ready' in message) {
        clearTimeout(timer);
        resolve(message.ready);
      } else {
        const request = pending.get(message.id);
        pending.delete(message.id);
        if ('error' in message) request?.reject(failure(`failed: ${message.error}`));
        else request?.resolve(message.reply);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      const error = failure(`exited with code ${code}`);
      reject(error);
      for (const request of pending.values()) request.reject(error);
    });
  }).catch((error: unknown) => {
    child.kill();
    throw error;
  });

  return {
    pid: child.pid!,
    ready,
    request: <T>(message: Record<string, unknown>) =>
      new Promise<T>((resolve, reject) => {
        const id = nextId++;
        pending.set(id, { resolve: resolve as (reply: unknown) => void, reject });
        child.send({ ...message, id });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        // A child closes its servers and exits when its channel closes; SIGTERM is the fallback.
        if (child.connected) child.disconnect();
        setTimeout(() => child.kill(), 5000).unref();
      }),
  };
}

/** In a child: announces that it is ready, with what the parent needs to know (or its result). */
export function announceReady(ready: unknown): Promise<void> {
  return new Promise((resolve, reject) => process.send!({ ready }, (error: Error | null) => (error ? reject(error) : resolve())));
}

/**
 * In a child: runs `onClose` and exits when the parent lets go of it or goes away, and answers the parent's
 * requests with `answer`, if it takes any.
 */
export function serveParent(onClose: () => Promise<void>, answer?: (message: Record<string, unknown>) => Promise<unknown>): void {
  process.once('disconnect', () => {
    void onClose().finally(() => process.exit(0));
  });
  if (!answer) return;
  process.on('message', (message: Record<string, unknown> & { id: number }) => {
    void answer(message).then(
      (reply) => process.send!({ id: message.id, reply } satisfies Reply),
      (error: unknown) => process.send!({ id: message.id, error: String((error as Error).stack ?? error) } satisfies Reply),
    );
  });
}
