import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { type InvocationReport, LocalFunction, type LocalFunctionDefinition, memoryArguments } from '../../../local/lambda/local-function';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const reports: InvocationReport[] = [];
const lines: string[] = [];
const observer = { log: (_: string, line: string) => lines.push(line), report: (report: InvocationReport) => reports.push(report) };
const opened: LocalFunction[] = [];

function localFunction(overrides: Partial<LocalFunctionDefinition> = {}): LocalFunction {
  const local = new LocalFunction(
    {
      logicalId: 'Fixture',
      name: 'guichet-Fixture',
      arn: 'arn:aws:lambda:eu-west-1:000000000000:function:guichet-Fixture',
      roleId: 'FixtureRole',
      file: path.join(FIXTURES, 'cjs', 'index.js'),
      exportName: 'handler',
      environment: { SETTING: 'from the template' },
      timeoutSeconds: 2,
      memoryMb: 128,
      ...overrides,
    },
    observer,
  );
  opened.push(local);
  return local;
}

beforeAll(() => {
  process.env.LEAKED_FROM_THE_PARENT = 'should not be seen';
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((local) => local.close()));
  reports.length = 0;
});

const payloadOf = (invocation: Awaited<ReturnType<LocalFunction['invoke']>>) => {
  if (invocation.outcome !== 'result') throw new Error(`expected a result, got ${JSON.stringify(invocation)}`);
  return invocation.payload as Record<string, unknown>;
};

describe('a local Lambda function', () => {
  it('starts cold once, then stays warm: module state survives between invocations', async () => {
    const local = localFunction();
    const first = payloadOf(await local.invoke({}, 'request-1'));
    const second = payloadOf(await local.invoke({}, 'request-2'));
    expect(first).toMatchObject({ invocations: 1, requestId: 'request-1', functionName: 'guichet-Fixture' });
    expect(second).toMatchObject({ invocations: 2, pid: first.pid });
    expect(reports.map((report) => report.initMs === undefined)).toEqual([false, true]);
    expect(reports[0].handlerInitMs).toBeLessThanOrEqual(reports[0].initMs!);
    expect(reports.map((report) => report.runtimeVersion)).toEqual([first.nodeVersion, undefined]);
    expect(local.environmentCount).toBe(1);
  });

  it('sees exactly its own environment, nothing of the process that runs it', async () => {
    const seen = payloadOf(await localFunction().invoke({}));
    expect(seen).toMatchObject({ setting: 'from the template', leaked: null, environment: ['SETTING'] });
  });

  it('runs each environment as a process of its own on the pinned Node.js 24, not on the Node.js of local mode', async () => {
    const local = localFunction();
    const results = await Promise.all([1, 2].map(() => local.invoke({ sleepMs: 200 })));
    const [first, second] = results.map(payloadOf);
    expect(first.nodeVersion).toMatch(/^v24\./);
    expect(new Set([process.pid, first.pid, second.pid]).size).toBe(3);
  });

  it("limits each environment's heap from the function's memory, as Lambda's Node.js bootstrap does", async () => {
    expect(memoryArguments(512)).toEqual(['--max-semi-space-size=25', '--max-old-space-size=461']);
    expect(payloadOf(await localFunction({ memoryMb: 512 }).invoke({})).execArgv).toEqual(memoryArguments(512));
  });

  it('gives each environment its own session variables, and tells the session which request it serves', async () => {
    const served: (string | undefined)[] = [];
    let sessions = 0;
    const local = localFunction({
      session: () => {
        sessions += 1;
        return { variables: { SETTING: `session ${sessions}` }, serving: (requestId) => served.push(requestId) };
      },
    });
    const results = await Promise.all(['request-a', 'request-b'].map((requestId) => local.invoke({ sleepMs: 200 }, requestId)));
    expect(results.map((result) => payloadOf(result).setting).sort()).toEqual(['session 1', 'session 2']);
    expect(served.filter(Boolean).sort()).toEqual(['request-a', 'request-b']);
    expect(served.filter((requestId) => requestId === undefined)).toHaveLength(2);
  });

  it('runs without the flags of the process that runs local mode (tsx and its loader hooks), as on Lambda', () => {
    const script = [
      "const { LocalFunction } = require('./local/lambda/local-function');",
      `const local = new LocalFunction({ logicalId: 'Fixture', name: 'f', arn: 'arn:f', roleId: 'r', file: ${JSON.stringify(path.join(FIXTURES, 'cjs', 'index.js'))}, exportName: 'handler', environment: {}, timeoutSeconds: 2, memoryMb: 128 }, { log: () => undefined, report: () => undefined });`,
      'local.invoke({}).then((invocation) => { process.stdout.write(JSON.stringify([process.execArgv.length > 0, invocation.payload.execArgv])); return local.close(); });',
    ].join('\n');
    const output = execFileSync(process.execPath, [require.resolve('tsx/cli'), '--eval', script], {
      cwd: path.join(__dirname, '..', '..', '..'),
      encoding: 'utf8',
    });
    expect(JSON.parse(output)).toEqual([true, memoryArguments(128)]);
  });

  it('tells the handler how much of its timeout remains', async () => {
    const { remainingMs } = payloadOf(await localFunction().invoke({}));
    expect(remainingMs).toBeGreaterThan(1000);
    expect(remainingMs).toBeLessThanOrEqual(2000);
  });

  it('runs concurrent invocations in separate environments, one invocation at a time each', async () => {
    const local = localFunction();
    const results = await Promise.all([1, 2, 3].map(() => local.invoke({ sleepMs: 200 })));
    expect(new Set(results.map((result) => payloadOf(result).pid)).size).toBe(3);
    expect(results.map((result) => payloadOf(result).invocations)).toEqual([1, 1, 1]);
  });

  it('answers a timeout and discards the environment: the next invocation starts cold', async () => {
    const local = localFunction({ timeoutSeconds: 1 });
    const first = payloadOf(await local.invoke({}));
    expect(await local.invoke({ sleepMs: 1500 })).toEqual({ outcome: 'timeout' });
    expect(lines).toContainEqual(expect.stringMatching(/Task timed out after 1\.00 seconds/));
    const after = payloadOf(await local.invoke({}));
    expect(after.invocations).toBe(1);
    expect(after.pid).not.toBe(first.pid);
  });

  it('answers an environment that exits during an invocation as Runtime.ExitError, and discards it', async () => {
    const local = localFunction();
    const first = payloadOf(await local.invoke({}));
    expect(await local.invoke({ crash: true })).toMatchObject({ outcome: 'error', phase: 'invoke', errorType: 'Runtime.ExitError' });
    const after = payloadOf(await local.invoke({}));
    expect(after.invocations).toBe(1);
    expect(after.pid).not.toBe(first.pid);
  });

  it("passes a handler's error on, and keeps the environment", async () => {
    const local = localFunction();
    expect(await local.invoke({ fail: true })).toEqual({
      outcome: 'error',
      phase: 'invoke',
      errorType: 'Error',
      errorMessage: 'handler failed on purpose',
    });
    expect(payloadOf(await local.invoke({})).invocations).toBe(2);
  });

  it('reports an init failure for the invocation that met it, and tries the init again on the next', async () => {
    const local = localFunction({ environment: { FAIL_INIT: 'yes' } });
    expect(await local.invoke({})).toEqual({ outcome: 'error', phase: 'init', errorType: 'Error', errorMessage: 'init failed on purpose' });
    expect(await local.invoke({})).toMatchObject({ outcome: 'error', phase: 'init' });
    expect(local.environmentCount).toBe(0);
  });

  it('is throttled beyond its reserved concurrency', async () => {
    const local = localFunction({ reservedConcurrency: 1 });
    const [held, throttled] = await Promise.all([local.invoke({ sleepMs: 300 }), local.invoke({})]);
    expect(held.outcome).toBe('result');
    expect(throttled).toEqual({ outcome: 'throttled' });
  });

  it('loads an ES module bundle through import, top-level await included', async () => {
    const local = localFunction({ file: path.join(FIXTURES, 'esm', 'index.mjs') });
    expect(payloadOf(await local.invoke({}))).toEqual({ initialisedWith: 'from the template' });
  });

  it('hands every log line of an invocation to the observer before the invocation is answered', async () => {
    await localFunction().invoke({ unterminatedLog: 'a line without its end' });
    expect(lines).toContainEqual('a line without its end{"level":"INFO","message":"invoked","invocations":1}');
  });

  it('leaves no process behind once closed', async () => {
    const local = localFunction();
    const { pid } = payloadOf(await local.invoke({}));
    await local.close();
    expect(() => process.kill(pid as number, 0)).toThrow(expect.objectContaining({ code: 'ESRCH' }));
  });
});
