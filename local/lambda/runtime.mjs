// One local Lambda execution environment: a Node.js process of its own (the pinned Node.js of the template's runtime,
// as Lambda gives each environment a micro-VM of its own) whose `process.env` is exactly what the function gets on
// AWS. It loads the bundle as the Node.js runtime does (CommonJS through require, ES modules through import), once:
// that is the cold start. Invocations then arrive one at a time over the IPC channel, and module state survives
// between them. After each invocation a marker line on stdout and stderr tells the parent that its logs are all read.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';

const { file, exportName, functionName, functionArn, memoryMb, marker } = JSON.parse(process.argv[2]);

// The terminal's Ctrl+C is for local mode as a whole: it discards its environments itself. Without local mode (its
// channel closed, whatever the reason), an environment has nothing left to do.
process.on('SIGINT', () => undefined);
process.on('disconnect', () => process.exit(0));

// Lambda's runtime sets up the functions' log output before it loads them: Node.js makes its stdio streams on first
// use, which here is the runtime's start, not a handler's first log line.
void [process.stdout, process.stderr];

function describe(error) {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, stack: error.stack };
  return { errorType: 'Error', errorMessage: String(error) };
}

async function load() {
  const module = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : createRequire(file)(file);
  const handler = module[exportName];
  if (typeof handler !== 'function') {
    throw Object.assign(new Error(`${file} does not export ${exportName}`), { name: 'Runtime.HandlerNotFound' });
  }
  return handler;
}

const send = (message) => process.connected && process.send(message);
const flushed = (stream, line) => new Promise((resolve) => stream.write(line, () => resolve()));

const initStarted = performance.now();
let handler;
try {
  handler = await load();
  // performance.now() counts from the start of this process: the runtime's own start is part of Lambda's init too.
  send({ type: 'ready', initMs: performance.now(), handlerInitMs: performance.now() - initStarted, runtimeVersion: process.version });
} catch (error) {
  send({ type: 'initError', initMs: performance.now(), error: describe(error) });
}

process.on('message', async ({ id, event, requestId, deadline }) => {
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: functionArn,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
  const started = performance.now();
  let answer;
  try {
    const result = await handler(event, context);
    answer = { type: 'result', id, result, durationMs: performance.now() - started };
  } catch (error) {
    answer = { type: 'error', id, error: describe(error), durationMs: performance.now() - started };
  }
  await Promise.all([flushed(process.stdout, `${marker}${id}\n`), flushed(process.stderr, `${marker}${id}\n`)]);
  send(answer);
});
