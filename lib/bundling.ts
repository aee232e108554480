import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { PREPARATIONS_KEY } from '../lambdas/shared/init';

const REPOSITORY_ROOT = path.resolve(__dirname, '..');

/** Memory of every guichet Lambda: RSA signing and JSON work are CPU-bound, and CPU grows with memory. */
export const LAMBDA_MEMORY_MB = 512;

/**
 * How every Lambda is bundled, in one place for the stack (GuichetFunction) and the benchmark: minified CommonJS
 * for the newest Node.js runtime, source maps beside the code, ES module builds of dependencies preferred (they
 * tree-shake), and the AWS SDK for JavaScript v3 left to the Lambda runtime, which provides it as
 * /var/runtime/node_modules provides it: bundled, the SDK was 200 kB of every bundle that used it.
 */
export const LAMBDA_BUNDLING = {
  target: 'node24',
  minify: true,
  sourceMap: true,
  mainFields: ['module', 'main'],
  externalModules: ['@aws-sdk/*'],
} as const;

/** The CommonJS bundle esbuild makes, renamed so that the runtime loads the ES module entry instead. */
export const BUNDLE_FILE = 'index.cjs';
/** What the runtime loads for the handler `index.handler` when there is no `index.js`. */
export const ENTRY_FILE = 'index.mjs';

/**
 * The function's entry: it loads the bundle through `require` (the runtime's SDK loads fastest that way), then
 * awaits the bundle's preparations (lambdas/shared/init.ts). Top-level await is what makes Lambda count that
 * work as init, run with the machine's full CPU, instead of letting the first request wait for it.
 */
export const ENTRY_MODULE: readonly string[] = [
  'import { createRequire } from "node:module";',
  `const bundle = createRequire(import.meta.url)("./${BUNDLE_FILE}");`,
  `await Promise.all(globalThis[Symbol.for("${PREPARATIONS_KEY}")] ?? []);`,
  'export const handler = bundle.handler;',
];

/** Shell commands run after esbuild, in the bundle's folder: the bundle renamed, the entry written beside it. */
export function entryCommands(outputDir: string): string[] {
  const quoted = ENTRY_MODULE.map((line) => `'${line}'`).join(' ');
  return [`mv "${outputDir}/index.js" "${outputDir}/${BUNDLE_FILE}"`, `printf '%s\\n' ${quoted} > "${outputDir}/${ENTRY_FILE}"`];
}

/** Everything a bundle is made from besides its entry path: the Lambda sources, the locked dependencies, the settings. */
const BUNDLE_INPUTS = ['lambdas', 'lib/bundling.ts', 'package-lock.json', 'tsconfig.json'];

let inputsDigest: string | undefined;

/**
 * The asset hash of a Lambda's bundle, computed from its inputs rather than from esbuild's output: the CDK then
 * skips bundling when an assembly directory already holds that asset, which is what keeps a local restart or a
 * second synthesis quick. Any change to a Lambda source, to a locked dependency or to the bundling settings
 * changes every hash, so a deploy never reuses a stale bundle.
 */
export function bundleHash(entry: string): string {
  inputsDigest ??= sourceDigest(BUNDLE_INPUTS);
  return createHash('sha256').update(inputsDigest).update(entry).digest('hex');
}

/** SHA-256 of the files at these paths (relative to the repository; folders are walked), names and contents. */
export function sourceDigest(inputs: readonly string[]): string {
  const files = inputs.flatMap((input) => filesUnder(path.join(REPOSITORY_ROOT, input))).sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(path.relative(REPOSITORY_ROOT, file)).update('\0').update(readFileSync(file)).update('\0');
  return hash.digest('hex');
}

function filesUnder(location: string): string[] {
  if (!statSync(location).isDirectory()) return [location];
  return readdirSync(location, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.join(entry.parentPath, entry.name));
}
