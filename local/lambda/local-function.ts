import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';

/**
 * One function of the template, run as Lambda runs it: each execution environment is a worker thread of its own
 * (its own `process.env`, module state and event loop), started on demand (the cold start), handling one
 * invocation at a time and kept warm between them. A function with reserved concurrency never has more
 * environments than that and is throttled beyond it; the others grow up to a local limit, past which
 * invocations wait for a free environment. An invocation that outlives the function's timeout is answered as a
 * timeout and its environment is discarded, as Lambda discards it.
 */
export interface LocalFunctionDefinition {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** The logical id of its role in the template. */
  readonly roleId: string;
  /** The bundle file the template's `Handler` names, and its export. */
  readonly file: string;
  readonly exportName: string;
  /** The whole environment: the template's variables plus what the Lambda runtime sets. */
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  readonly reservedConcurrency?: number;
}

export type Invocation =
  | { readonly outcome: 'result'; readonly payload: unknown }
  | { readonly outcome: 'error'; readonly phase: 'init' | 'invoke'; readonly errorType: string; readonly errorMessage: string }
  | { readonly outcome: 'timeout' }
  | { readonly outcome: 'throttled' };

/** What Lambda's REPORT line says of one invocation. */
export interface InvocationReport {
  readonly functionId: string;
  readonly requestId: string;
  readonly outcome: Invocation['outcome'];
  readonly durationMs: number;
  /** Set on a cold start: how long loading the bundle took. */
  readonly initMs?: number;
}

export interface FunctionObserver {
  log(functionId: string, line: string): void;
  report(report: InvocationReport): void;
}

const WORKER = path.join(__dirname, 'worker.mjs');
/** Environments per function without reserved concurrency: enough for the tests' concurrency rounds. */
export const DEFAULT_MAX_ENVIRONMENTS = 32;

type WorkerMessage =
  | { type: 'ready'; initMs: number }
  | { type: 'initError'; initMs: number; error: { errorType: string; errorMessage: string; stack?: string } }
  | { type: 'result'; id: string; result: unknown; durationMs: number }
  | { type: 'error'; id: string; error: { errorType: string; errorMessage: string; stack?: string }; durationMs: number };

class ExecutionEnvironment {
  readonly worker: Worker;
  /** Resolves with the init duration once the bundle is loaded; rejects with the init error. */
  readonly ready: Promise<number>;
  busy = false;
  invocations = 0;
  private pending?: { id: string; resolve: (message: WorkerMessage) => void };

  constructor(definition: LocalFunctionDefinition, observer: FunctionObserver, onExit: () => void) {
    this.worker = new Worker(WORKER, {
      env: { ...definition.environment },
      workerData: {
        file: definition.file,
        exportName: definition.exportName,
        functionName: definition.name,
        functionArn: definition.arn,
        memoryMb: definition.memoryMb,
      },
      stdout: true,
      stderr: true,
      // Node's own flags only, as on Lambda: not the loader hooks of the process that runs local mode (tsx).
      execArgv: [],
      resourceLimits: { maxOldGenerationSizeMb: definition.memoryMb },
    });
    for (const stream of [this.worker.stdout, this.worker.stderr]) {
      createInterface({ input: stream }).on('line', (line) => observer.log(definition.logicalId, line));
    }
    this.ready = new Promise((resolve, reject) => {
      this.worker.once('message', (message: WorkerMessage) => {
        if (message.type === 'ready') resolve(message.initMs);
        else if (message.type === 'initError') reject(Object.assign(new Error(message.error.errorMessage), { name: message.error.errorType, stack: message.error.stack }));
      });
    });
    this.ready.catch(() => undefined);
    this.worker.on('message', (message: WorkerMessage) => {
      if ((message.type === 'result' || message.type === 'error') && this.pending?.id === message.id) this.pending.resolve(message);
    });
    this.worker.on('error', (error) => {
      observer.log(definition.logicalId, `Runtime.ExitError: ${error.stack ?? error.message}`);
      this.pending?.resolve({ type: 'error', id: this.pending.id, error: { errorType: 'Runtime.ExitError', errorMessage: error.message }, durationMs: 0 });
    });
    this.worker.on('exit', onExit);
  }

  run(event: unknown, requestId: string, deadline: number): Promise<WorkerMessage> {
    const id = randomUUID();
    return new Promise((resolve) => {
      this.pending = { id, resolve };
      this.worker.postMessage({ id, event, requestId, deadline });
    }).finally(() => (this.pending = undefined)) as Promise<WorkerMessage>;
  }
}

export class LocalFunction {
  private readonly environments = new Set<ExecutionEnvironment>();
  private readonly waiting: (() => void)[] = [];
  private closed = false;

  constructor(
    readonly definition: LocalFunctionDefinition,
    private readonly observer: FunctionObserver,
    private readonly maxEnvironments = DEFAULT_MAX_ENVIRONMENTS,
  ) {}

  async invoke(event: unknown, requestId: string = randomUUID()): Promise<Invocation> {
    const environment = await this.acquire();
    if (!environment) {
      this.observer.report({ functionId: this.definition.logicalId, requestId, outcome: 'throttled', durationMs: 0 });
      return { outcome: 'throttled' };
    }
    const cold = environment.invocations === 0;
    let initMs: number;
    try {
      initMs = await environment.ready;
    } catch (error) {
      this.discard(environment);
      const failure = error as Error;
      this.observer.log(this.definition.logicalId, `INIT_REPORT ${failure.name}: ${failure.message}`);
      this.observer.report({ functionId: this.definition.logicalId, requestId, outcome: 'error', durationMs: 0 });
      return { outcome: 'error', phase: 'init', errorType: failure.name, errorMessage: failure.message };
    }
    environment.invocations += 1;
    const timeoutMs = this.definition.timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    const started = Date.now();
    const answer = await Promise.race([environment.run(event, requestId, started + timeoutMs), timedOut]);
    clearTimeout(timer);
    // The handler's own time as its environment measured it, as Lambda's REPORT line gives it; a timeout's is the limit.
    const durationMs = answer === 'timeout' || !('durationMs' in answer) ? Date.now() - started : answer.durationMs;
    const report = { functionId: this.definition.logicalId, requestId, durationMs, initMs: cold ? initMs : undefined };
    if (answer === 'timeout') {
      this.observer.log(this.definition.logicalId, `${requestId} Task timed out after ${this.definition.timeoutSeconds.toFixed(2)} seconds`);
      this.discard(environment);
      this.observer.report({ ...report, outcome: 'timeout' });
      return { outcome: 'timeout' };
    }
    this.release(environment);
    if (answer.type === 'error' || answer.type === 'initError') {
      if (answer.type === 'error' && answer.error.errorType === 'Runtime.ExitError') this.discard(environment);
      this.observer.report({ ...report, outcome: 'error' });
      return { outcome: 'error', phase: 'invoke', errorType: answer.error.errorType, errorMessage: answer.error.errorMessage };
    }
    this.observer.report({ ...report, outcome: 'result' });
    return { outcome: 'result', payload: answer.type === 'result' ? answer.result : undefined };
  }

  /** Environments started so far and still alive (a cold start adds one). */
  get environmentCount(): number {
    return this.environments.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.environments].map((environment) => environment.worker.terminate()));
    this.environments.clear();
  }

  /** A free environment marked busy, a new one, undefined when throttled, or after a wait for one to free. */
  private async acquire(): Promise<ExecutionEnvironment | undefined> {
    for (;;) {
      if (this.closed) throw new Error(`${this.definition.logicalId} is stopped`);
      const idle = [...this.environments].find((environment) => !environment.busy);
      if (idle) {
        idle.busy = true;
        return idle;
      }
      const limit = this.definition.reservedConcurrency ?? this.maxEnvironments;
      if (this.environments.size < limit) {
        const environment = new ExecutionEnvironment(this.definition, this.observer, () => this.environments.delete(environment));
        environment.busy = true;
        this.environments.add(environment);
        return environment;
      }
      if (this.definition.reservedConcurrency !== undefined) return undefined;
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private release(environment: ExecutionEnvironment): void {
    environment.busy = false;
    this.waiting.shift()?.();
  }

  private discard(environment: ExecutionEnvironment): void {
    this.environments.delete(environment);
    void environment.worker.terminate();
    this.waiting.shift()?.();
  }
}
