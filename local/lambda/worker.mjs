// One local Lambda execution environment: a worker thread whose `process.env` is exactly what the function gets
// on AWS (its template environment, the runtime's reserved variables, its own credentials). It loads the bundle as
// the Node.js runtime does (CommonJS through require, ES modules through import), once: that is the cold start.
// Invocations then arrive one at a time, like in a Lambda container, and module state survives between them.
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';

const { file, exportName, functionName, functionArn, memoryMb } = workerData;

function describe(error) {
  if (error instanceof Error) return { errorType: error.name, errorMessage: error.message, stack: error.stack };
  return { errorType: 'Error', errorMessage: String(error) };
}

async function load() {
  const module = file.endsWith('.mjs') ? await import(pathToFileURL(file).href) : createRequire(file)(file);
  const handler = module[exportName];
  if (typeof handler !== 'function') throw Object.assign(new Error(`${file} does not export ${exportName}`), { name: 'Runtime.HandlerNotFound' });
  return handler;
}

const initStarted = performance.now();
let handler;
try {
  handler = await load();
  parentPort.postMessage({ type: 'ready', initMs: performance.now() - initStarted });
} catch (error) {
  parentPort.postMessage({ type: 'initError', initMs: performance.now() - initStarted, error: describe(error) });
}

parentPort.on('message', async ({ id, event, requestId, deadline }) => {
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
  try {
    const result = await handler(event, context);
    parentPort.postMessage({ type: 'result', id, result, durationMs: performance.now() - started });
  } catch (error) {
    parentPort.postMessage({ type: 'error', id, error: describe(error), durationMs: performance.now() - started });
  }
});
