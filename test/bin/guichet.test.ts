import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const REPOSITORY = path.resolve(__dirname, '../..');
const REQUIRED = { oidcIssuer: 'https://idp.example.com', oidcClientId: 'guichet' };

interface Run {
  readonly exitCode: number;
  readonly stderr: string;
  readonly outdir: string;
}

const outdirs: string[] = [];
afterAll(() => {
  for (const outdir of outdirs) rmSync(outdir, { recursive: true, force: true });
});

/** Runs the CDK app as the CDK CLI does, with the context and the output folder in its environment. */
function run(contextJson: string): Promise<Run> {
  const outdir = mkdtempSync(path.join(os.tmpdir(), 'guichet-app-'));
  outdirs.push(outdir);
  const env = { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: contextJson };
  return new Promise((resolve) => {
    execFile('npx', ['tsx', 'bin/guichet.ts'], { cwd: REPOSITORY, env }, (error, _stdout, stderr) => {
      resolve({ exitCode: error ? Number(error.code) : 0, stderr, outdir });
    });
  });
}

/** Context that skips bundling: the template is the same, the run takes seconds. */
const withoutBundling = (context: Record<string, unknown>) => JSON.stringify({ 'aws:cdk:bundling-stacks': [], ...context });

const STACK_FRAME = /^\s+at /m;

test('without the required context, prints one line saying how to pass it, no stack trace, and exits 1', async () => {
  const { exitCode, stderr } = await run(withoutBundling({}));
  expect(stderr).toBe(
    'guichet: missing context oidcIssuer, oidcClientId: ' +
      'pass -c oidcIssuer=https://... -c oidcClientId=... (or set them in cdk.json)\n',
  );
  expect(exitCode).toBe(1);
});

test('prints every invalid value, one line each, no stack trace, and exits 1', async () => {
  const { exitCode, stderr } = await run(withoutBundling({ ...REQUIRED, sessionTtlSeconds: 'abc', signingAlgorithm: 'HS256' }));
  expect(stderr).toBe(
    'Invalid guichet configuration:\n' +
      '- sessionTtlSeconds must be a positive whole number, got "abc"\n' +
      '- signingAlgorithm must be one of RS256, ES256, got "HS256"\n',
  );
  expect(exitCode).toBe(1);
});

test('an unexpected error keeps its stack trace', async () => {
  const { exitCode, stderr } = await run('{"oidcIssuer": ');
  expect(stderr).toMatch(STACK_FRAME);
  expect(exitCode).not.toBe(0);
});

test('a valid context synthesizes the stack', async () => {
  const { exitCode, stderr, outdir } = await run(withoutBundling(REQUIRED));
  expect(stderr).not.toMatch(STACK_FRAME);
  expect(exitCode).toBe(0);
  expect(existsSync(path.join(outdir, 'Guichet.template.json'))).toBe(true);
});

test('cdk.json names no IdP, so a synth without -c stops at the missing keys instead of using a placeholder', () => {
  const { context } = JSON.parse(readFileSync(path.join(REPOSITORY, 'cdk.json'), 'utf8'));
  expect(context).not.toHaveProperty('oidcIssuer');
  expect(context).not.toHaveProperty('oidcClientId');
});
