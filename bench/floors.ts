import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';
import { BUNDLE_FILE, ENTRY_FILE, ENTRY_MODULE, LAMBDA_BUNDLING } from '../lib/bundling';
import { REPOSITORY_ROOT } from './bundles';

/**
 * The floor of a function: what any Lambda on this SDK pays at init. A handler that loads and creates the SDK
 * clients the function's bundle leaves to the runtime (and prepares nothing else), or returns a constant when the
 * function uses no SDK, bundled as lib/bundling.ts bundles guichet's functions (esbuild's settings, the CommonJS
 * bundle behind the ES module entry), then run the same way: same runtime, same memory, same environment.
 */
export interface Floor {
  /** The `@aws-sdk/*` modules it loads, sorted; none for a constant handler. */
  readonly runtimeModules: readonly string[];
  /** Its entry, for the local runtime. */
  readonly file: string;
}

/** How a floor creates each SDK client; the document client wraps the DynamoDB client, as guichet's does. */
const CLIENTS: Readonly<Record<string, { readonly imports: string; readonly create?: string }>> = {
  '@aws-sdk/client-dynamodb': { imports: "import { DynamoDBClient } from '@aws-sdk/client-dynamodb';", create: 'new DynamoDBClient({})' },
  '@aws-sdk/lib-dynamodb': { imports: "import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';" },
  '@aws-sdk/client-secrets-manager': {
    imports: "import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';",
    create: 'new SecretsManagerClient({})',
  },
  '@aws-sdk/client-sqs': { imports: "import { SQSClient } from '@aws-sdk/client-sqs';", create: 'new SQSClient({})' },
};

/** The floor's source for these SDK modules. */
export function floorSource(runtimeModules: readonly string[]): string {
  for (const name of runtimeModules) if (!CLIENTS[name]) throw new Error(`no floor client for ${name}: add one to bench/floors.ts`);
  const documents = runtimeModules.includes('@aws-sdk/lib-dynamodb');
  const documentClient = 'DynamoDBDocumentClient.from(new DynamoDBClient({}))';
  const clients = runtimeModules
    .map((name) => (name === '@aws-sdk/client-dynamodb' && documents ? documentClient : CLIENTS[name].create))
    .filter(Boolean);
  return [
    ...runtimeModules.map((name) => CLIENTS[name].imports),
    `export const clients = [${clients.join(', ')}];`,
    "export const handler = async () => ({ statusCode: 200, body: 'floor' });",
    '',
  ].join('\n');
}

/** Builds one floor per distinct set of SDK modules, in `directory`. */
export async function buildFloors(directory: string, moduleSets: readonly (readonly string[])[]): Promise<Floor[]> {
  const distinct = new Map(moduleSets.map((modules) => [[...modules].sort().join(' '), [...modules].sort()]));
  return Promise.all(
    [...distinct.values()].map(async (runtimeModules, index) => {
      const outdir = path.join(directory, `floor-${index}`);
      await mkdir(outdir, { recursive: true });
      await build({
        stdin: { contents: floorSource(runtimeModules), resolveDir: REPOSITORY_ROOT, sourcefile: 'floor.ts', loader: 'ts' },
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: LAMBDA_BUNDLING.target,
        minify: LAMBDA_BUNDLING.minify,
        sourcemap: LAMBDA_BUNDLING.sourceMap,
        mainFields: [...LAMBDA_BUNDLING.mainFields],
        external: [...LAMBDA_BUNDLING.externalModules],
        outfile: path.join(outdir, 'index.js'),
        logLevel: 'silent',
      });
      await rename(path.join(outdir, 'index.js'), path.join(outdir, BUNDLE_FILE));
      await writeFile(path.join(outdir, ENTRY_FILE), `${ENTRY_MODULE.join('\n')}\n`);
      return { runtimeModules, file: path.join(outdir, ENTRY_FILE) };
    }),
  );
}
