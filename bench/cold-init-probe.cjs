'use strict';
/**
 * Runs in a fresh Node process, started by bench/cold-init.ts: loads one Lambda bundle, hands its handler one
 * event and reports how long each took. Plain CommonJS, so that nothing but the bundle is loaded.
 */
const { performance } = require('node:perf_hooks');

const [bundle, eventJson] = process.argv.slice(2);
const context = {
  callbackWaitsForEmptyEventLoop: false,
  functionName: 'guichet-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:guichet-bench',
  memoryLimitInMB: '512',
  awsRequestId: 'cold-init',
  logGroupName: '/aws/lambda/guichet-bench',
  logStreamName: 'local',
  getRemainingTimeInMillis: () => 10000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

const started = performance.now();
const { handler } = require(bundle);
const loaded = performance.now();
Promise.resolve(handler(JSON.parse(eventJson), context)).then(
  (result) => {
    const handled = performance.now();
    const report = { loadMs: loaded - started, firstRequestMs: handled - loaded, statusCode: result ? result.statusCode : undefined };
    process.send(report, () => process.exit(0));
  },
  (error) => process.send({ error: String(error && error.stack ? error.stack : error) }, () => process.exit(0)),
);
