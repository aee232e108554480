import { type ChildProcess, fork } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { lambdaNodeBinary } from './lambda-node';

/**
 * One function of the template, run as Lambda runs it: each execution environment is a process of its own on the
 * template's Node.js major (its own `process.env`, module state, event loop and heap limit from the function's
 * memory), started on demand (the cold start), handling one invocation at a time and kept warm between them. A
 * function with reserved concurrency never has more environments than that and is throttled beyond it; the others
 * grow up to a local limit, past which invocations wait for a free environment. An invocation that outlives the
 * function's timeout is answered as a timeout and its environment is discarded, as Lambda discards it.
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
  /** Called for each new environment: what is its own (its role session's credentials), and who it serves. */
  readonly session?: () => EnvironmentSession;
}

/** An execution environment's own role session, as Lambda gives each environment credentials of its own. */
export interface EnvironmentSession {
  readonly variables: Readonly<Record<string, string>>;
  /** Told the request id of the invocation the environment runs, and undefined once it is answered. */
  serving(requestId: string | undefined): void;
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
  /**
   * Set on a cold start: Lambda's init duration, from the start of the environment's runtime process to its handler
   * being ready; `handlerInitMs` is its part after the runtime's own start (loading the bundle, its preparations).
   */
  readonly initMs?: number;
  readonly handlerInitMs?: number;
  /** Set on a cold start: the Node.js version of the environment (`v24.…`), as Lambda's INIT_START line names it. */
  readonly runtimeVersion?: string;
}

export interface FunctionObserver {
  log(functionId: string, line: string): void;
  report(report: InvocationReport): void;
}

const RUNTIME = path.join(__dirname, 'runtime.mjs');
/** Environments per function without reserved concurrency: enough for the tests' concurrency rounds. */
export const DEFAULT_MAX_ENVIRONMENTS = 32;

type RuntimeError = { errorType: string; errorMessage: string; stack?: string };
type RuntimeMessage =
  | { type: 'ready'; initMs: number; handlerInitMs: number; runtimeVersion: string }
  | { type: 'initError'; initMs: number; error: RuntimeError }
  | { type: 'result'; id: string; result: unknown; durationMs: number }
  | { type: 'error'; id: string; error: RuntimeError; durationMs: number };
type Answer = Extract<RuntimeMessage, { id: string }>;

/** What a new environment reports once its bundle is loaded. */
interface Ready {
  readonly initMs: number;
  readonly handlerInitMs: number;
  readonly runtimeVersion: string;
}

let lambdaNode: string | undefined;

/** The heap limits Lambda's Node.js bootstrap derives from the function's memory: a tenth for the young generation. */
export function memoryArguments(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

class ExecutionEnvironment {
  readonly process: ChildProcess;
  /** Resolves once the bundle is loaded; rejects with the init error. */
  readonly ready: Promise<Ready>;
  readonly session?: EnvironmentSession;
  busy = false;
  invocations = 0;
  private pending?: { id: string; resolve: (answer: Answer) => void; answer?: Answer; streamsOpen: number };
  private readonly exited: Promise<void>;

  constructor(definition: LocalFunctionDefinition, observer: FunctionObserver, onExit: () => void) {
    this.session = definition.session?.();
    // Tells the end of an invocation's logs; random, so that no handler can write it.
    const marker = `\u001e${randomUUID()}:`;
    const { file, exportName, name: functionName, arn: functionArn, memoryMb } = definition;
    this.process = fork(RUNTIME, [JSON.stringify({ file, exportName, functionName, functionArn, memoryMb, marker })], {
      execPath: (lambdaNode ??= lambdaNodeBinary()),
      // Node's own flags only, as on Lambda: not the loader hooks of the process that runs local mode (tsx).
      execArgv: memoryArguments(definition.memoryMb),
      cwd: path.dirname(definition.file),
      env: { ...definition.environment, ...this.session?.variables },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'json',
    });
    for (const stream of [this.process.stdout!, this.process.stderr!]) {
      createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
        const at = line.indexOf(marker);
        if (at < 0) return observer.log(definition.logicalId, line);
        if (at > 0) observer.log(definition.logicalId, line.slice(0, at));
        if (line.slice(at + marker.length) === this.pending?.id) this.settle(-1);
      });
    }
    this.exited = new Promise((resolve) => this.process.once('exit', () => resolve()).once('error', () => resolve()));
    this.ready = new Promise((resolve, reject) => {
      this.process.on('message', (message: RuntimeMessage) => {
        if (message.type === 'ready') resolve(message);
        else if (message.type === 'initError')
          reject(Object.assign(new Error(message.error.errorMessage), { name: message.error.errorType, stack: message.error.stack }));
        else if (message.id === this.pending?.id) {
          this.pending.answer = message;
          this.settle(0);
        }
      });
      const failed = (error: RuntimeError) => {
        reject(Object.assign(new Error(error.errorMessage), { name: error.errorType }));
        if (this.pending) this.pending.resolve({ type: 'error', id: this.pending.id, error, durationMs: 0 });
      };
      this.process.on('error', (error) => {
        observer.log(definition.logicalId, `Runtime.ExitError: ${error.stack ?? error.message}`);
        failed({ errorType: 'Runtime.ExitError', errorMessage: error.message });
      });
      this.process.once('exit', (code, signal) => {
        failed({ errorType: 'Runtime.ExitError', errorMessage: `the runtime exited${signal ? ` on ${signal}` : ` with code ${code}`}` });
        onExit();
      });
    });
    this.ready.catch(() => undefined);
  }

  run(event: unknown, requestId: string, deadline: number): Promise<Answer> {
    const id = randomUUID();
    this.session?.serving(requestId);
    return new Promise<Answer>((resolve) => {
      this.pending = { id, resolve, streamsOpen: 2 };
      this.process.send({ id, event, requestId, deadline }, (error) => {
        if (error) resolve({ type: 'error', id, error: { errorType: 'Runtime.ExitError', errorMessage: error.message }, durationMs: 0 });
      });
    }).finally(() => {
      this.pending = undefined;
      this.session?.serving(undefined);
    });
  }

  /** An answer counts once the runtime sent it and both its log streams reached its end marker. */
  private settle(streamsDone: number): void {
    const pending = this.pending!;
    pending.streamsOpen += streamsDone;
    if (pending.answer && pending.streamsOpen === 0) pending.resolve(pending.answer);
  }

  /** Discards the environment at once, as Lambda discards a micro-VM. */
  stop(): Promise<void> {
    if (this.process.exitCode === null && this.process.signalCode === null) this.process.kill('SIGKILL');
    return this.exited;
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
    let ready: Ready;
    try {
      ready = await environment.ready;
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
    const durationMs = answer === 'timeout' ? Date.now() - started : answer.durationMs;
    const report = {
      functionId: this.definition.logicalId,
      requestId,
      durationMs,
      ...(cold && { initMs: ready.initMs, handlerInitMs: ready.handlerInitMs, runtimeVersion: ready.runtimeVersion }),
    };
    if (answer === 'timeout') {
      this.observer.log(
        this.definition.logicalId,
        `${requestId} Task timed out after ${this.definition.timeoutSeconds.toFixed(2)} seconds`,
      );
      this.discard(environment);
      this.observer.report({ ...report, outcome: 'timeout' });
      return { outcome: 'timeout' };
    }
    this.release(environment);
    if (answer.type === 'error') {
      if (answer.error.errorType === 'Runtime.ExitError') this.discard(environment);
      this.observer.report({ ...report, outcome: 'error' });
      return { outcome: 'error', phase: 'invoke', errorType: answer.error.errorType, errorMessage: answer.error.errorMessage };
    }
    this.observer.report({ ...report, outcome: 'result' });
    return { outcome: 'result', payload: answer.result };
  }

  /** Environments started so far and still alive (a cold start adds one). */
  get environmentCount(): number {
    return this.environments.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.environments].map((environment) => environment.stop()));
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
    void environment.stop();
    this.waiting.shift()?.();
  }
}
