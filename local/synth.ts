import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readlink, rename, rm, stat, symlink, utimes } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { sourceDigest } from '../lib/bundling';

export const REPOSITORY_ROOT = path.resolve(__dirname, '..');

/** What a synthesis is made from: the CDK app, the stack and the Lambda sources, the locked dependencies. */
const SYNTH_INPUTS = ['bin', 'lib', 'lambdas', 'cdk.json', 'package-lock.json', 'tsconfig.json'];
/** Assemblies nobody used for this long are removed when a new synthesis is made, with the bundles only they used. */
const CACHE_RETENTION_MS = 24 * 60 * 60 * 1000;
/** A bundle younger than this may belong to a synthesis still running in another process. */
const BUNDLE_GRACE_MS = 60 * 60 * 1000;

/**
 * Where synthesized assemblies are kept: outside the repository, so that a bundle resolves its `require`s as it
 * would in Lambda (its own folder, then the runtime's modules) and never finds the repository's node_modules.
 */
export function synthCacheDirectory(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GUICHET_CACHE_DIR) return env.GUICHET_CACHE_DIR;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  const checkout = createHash('sha256').update(REPOSITORY_ROOT).digest('hex').slice(0, 12);
  return path.join(base, 'guichet', checkout);
}

export class SynthError extends Error {}

/**
 * Synthesizes the stack as `cdk synth` does, without the CLI: the app command of cdk.json runs with the cloud
 * assembly directory in CDK_OUTDIR and the context (cdk.json's, then `context`) in CDK_CONTEXT_JSON, offline.
 * The assembly is reused when the same inputs and context were synthesized before; bundles are shared between
 * assemblies (their hash is computed from their sources), so a new context costs no bundling.
 * Returns the assembly directory.
 */
export async function synthesizeStack(context: Readonly<Record<string, unknown>>, cacheDirectory = synthCacheDirectory()): Promise<string> {
  const cdkJson = JSON.parse(readFileSync(path.join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')) as { app: string; context?: object };
  const fullContext = { ...cdkJson.context, ...context };
  const key = createHash('sha256')
    .update(sourceDigest(SYNTH_INPUTS))
    .update(JSON.stringify(sortedKeys(fullContext)))
    .digest('hex')
    .slice(0, 24);
  const assemblies = path.join(cacheDirectory, 'assemblies');
  const bundles = path.join(cacheDirectory, 'bundles');
  const assembly = path.join(assemblies, key);
  if (existsSync(path.join(assembly, 'manifest.json'))) {
    const now = new Date();
    await utimes(assembly, now, now);
    return assembly;
  }

  await mkdir(assemblies, { recursive: true });
  await mkdir(bundles, { recursive: true });
  await prune(assemblies, bundles);
  const building = `${assembly}.${process.pid}.${Date.now()}`;
  await mkdir(building);
  try {
    // The CDK skips bundling an asset whose folder is already there.
    for (const bundle of await readdir(bundles)) await symlink(path.join(bundles, bundle), path.join(building, bundle));
    await runApp(cdkJson.app, building, fullContext);
    await shareNewBundles(building, bundles);
    await rename(building, assembly).catch(async (error: NodeJS.ErrnoException) => {
      // Another process synthesized the same inputs meanwhile: theirs is as good as ours.
      if (!existsSync(path.join(assembly, 'manifest.json'))) throw error;
      await rm(building, { recursive: true, force: true });
    });
    return assembly;
  } catch (error) {
    await rm(building, { recursive: true, force: true });
    throw error;
  }
}

function runApp(command: string, outdir: string, context: object): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, {
      shell: true,
      cwd: REPOSITORY_ROOT,
      env: {
        ...process.env,
        CDK_OUTDIR: outdir,
        CDK_CONTEXT_JSON: JSON.stringify(context),
        // The template is the same with or without the CloudFormation schema check; `cdk synth` and the
        // deployable-synthesis test run it, local mode spares its seconds.
        CDK_VALIDATION: 'false',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (code === 0) resolve();
      else reject(new SynthError(synthFailure(stderr, code)));
    });
  });
}

/** The app's own message (a configuration error is one line), without esbuild's progress lines. */
function synthFailure(stderr: string, code: number | null): string {
  // Node prints the source line of an uncaught error: in minified CDK code, kilobytes that say nothing.
  const lines = stderr
    .split('\n')
    .filter((line) => line.trim() && line.length < 400 && !/^(Bundling asset|\s+\.\.\.|⚡|\s*cdk\.out|Node\.js v)/.test(line));
  return `the stack could not be synthesized (exit ${code}):\n${lines.join('\n')}`;
}

/** Moves the bundles this synthesis made into the shared folder, leaving links behind. */
async function shareNewBundles(assembly: string, bundles: string): Promise<void> {
  for (const entry of await readdir(assembly)) {
    const location = path.join(assembly, entry);
    if (!entry.startsWith('asset.') || lstatSync(location).isSymbolicLink()) continue;
    const shared = path.join(bundles, entry);
    if (existsSync(shared)) await rm(location, { recursive: true, force: true });
    else await rename(location, shared);
    await symlink(shared, location);
  }
}

async function prune(assemblies: string, bundles: string): Promise<void> {
  const now = Date.now();
  const kept = new Set<string>();
  for (const entry of await readdir(assemblies)) {
    const location = path.join(assemblies, entry);
    if (now - (await stat(location)).mtimeMs > CACHE_RETENTION_MS) {
      await rm(location, { recursive: true, force: true });
      continue;
    }
    for (const link of await readdir(location)) {
      if (link.startsWith('asset.') && lstatSync(path.join(location, link)).isSymbolicLink())
        kept.add(await readlink(path.join(location, link)));
    }
  }
  for (const entry of await readdir(bundles)) {
    const location = path.join(bundles, entry);
    if (!kept.has(location) && now - (await stat(location)).mtimeMs > BUNDLE_GRACE_MS) await rm(location, { recursive: true, force: true });
  }
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((name) => [name, sortedKeys((value as Record<string, unknown>)[name])]),
  );
}
