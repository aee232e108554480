import { stat } from 'node:fs/promises';
import path from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { LAMBDA_BUNDLING } from '../lib/bundling';
import { SIGNING_KEYS_ROTATION_ENTRY } from '../lib/constructs/signing-keys-rotation';
import { ROUTES } from '../lambdas/routes';

export const REPOSITORY_ROOT = path.resolve(__dirname, '..');

/** The stack's bundling (lib/bundling.ts) in esbuild's API, as aws-lambda-nodejs passes it to esbuild. */
const STACK_BUNDLING: BuildOptions = {
  bundle: true,
  platform: 'node',
  target: LAMBDA_BUNDLING.target,
  format: 'cjs',
  minify: LAMBDA_BUNDLING.minify,
  sourcemap: LAMBDA_BUNDLING.sourceMap,
  external: [...LAMBDA_BUNDLING.externalModules],
  mainFields: [...LAMBDA_BUNDLING.mainFields],
};

/** One deployed Lambda: a route of the route table, or the signing-keys rotation. */
export interface LambdaUnderTest {
  /** The route id, or `SigningKeysRotation`. */
  readonly id: string;
  readonly entry: string;
  /** `METHOD /path` for a route; undefined for the rotation Lambda. */
  readonly routeKey?: string;
}

const LAMBDAS: readonly LambdaUnderTest[] = [
  ...ROUTES.map((route) => ({ id: route.id, entry: route.entry, routeKey: `${route.method} ${route.path}` })),
  { id: 'SigningKeysRotation', entry: SIGNING_KEYS_ROTATION_ENTRY },
];

export interface PackageShare {
  /** An npm package, or `(guichet)` for the repository's own code. */
  readonly name: string;
  readonly bytes: number;
}

export interface Bundle {
  readonly lambda: LambdaUnderTest;
  /** The minified `index.js` the stack would deploy; its source map is beside it. */
  readonly file: string;
  /** Bytes of the minified JavaScript alone, without the source map. */
  readonly bytes: number;
  /** Bytes in the output by package, largest first. */
  readonly packages: readonly PackageShare[];
}

/**
 * Bundles every Lambda as the stack does, into `outDirectory`: one esbuild run with an entry point per distinct
 * handler module, each output a whole bundle of its own (CommonJS has no code splitting).
 */
export async function buildBundles(outDirectory: string): Promise<Bundle[]> {
  const entries = [...new Set(LAMBDAS.map((lambda) => lambda.entry))];
  const outputName = (entry: string) => path.join(`lambda-${entries.indexOf(entry)}`, 'index');
  const { metafile } = await build({
    ...STACK_BUNDLING,
    entryPoints: entries.map((entry) => ({ in: path.join(REPOSITORY_ROOT, entry), out: outputName(entry) })),
    outdir: outDirectory,
    absWorkingDir: REPOSITORY_ROOT,
    metafile: true,
    logLevel: 'silent',
  });
  return Promise.all(
    LAMBDAS.map(async (lambda) => {
      const file = path.join(outDirectory, `${outputName(lambda.entry)}.js`);
      return { lambda, file, bytes: (await stat(file)).size, packages: packageShares(metafile, file) };
    }),
  );
}

function packageShares(metafile: Metafile, file: string): PackageShare[] {
  const output = metafile.outputs[path.relative(REPOSITORY_ROOT, file)];
  if (!output) throw new Error(`esbuild's metafile does not describe ${file}`);
  const bytes = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    bytes.set(name, (bytes.get(name) ?? 0) + bytesInOutput);
  }
  return [...bytes].map(([name, size]) => ({ name, bytes: size })).sort((a, b) => b.bytes - a.bytes);
}

/** The package an input file belongs to: the path after its last `node_modules/`. */
function packageOf(input: string): string {
  const parts = input.split('node_modules/');
  if (parts.length < 2) return '(guichet)';
  const segments = parts.at(-1)!.split('/');
  return segments[0].startsWith('@') ? `${segments[0]}/${segments[1]}` : segments[0];
}
