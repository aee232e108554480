import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createRequire, isBuiltin } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { ROUTES } from '../../lambdas/routes';
import { BUNDLE_FILE, ENTRY_FILE, entryCommands, LAMBDA_BUNDLING } from '../../lib/bundling';
import { runtimeModulesFolder } from '../../local/lambda/template-functions';
import { readStackTemplate, resourcesOfType } from '../../local/stack-template';
import { REPOSITORY_ROOT, synthesizeStack } from '../../local/synth';

/** The packages a deployed bundle leaves to its runtime, by the function's logical id. */
let externals: Map<string, Set<string>>;
/** The files of every function's asset folder. */
let assetFiles: string[][];
/** The code of every function's bundle, by its logical id. */
let bundles: Map<string, string>;

beforeAll(async () => {
  // The context test/global-setup.ts bundles with: the assembly is already there.
  const template = readStackTemplate(await synthesizeStack({ oidcIssuer: 'https://idp.example.com', oidcClientId: 'bundles' }));
  assetFiles = resourcesOfType(template, 'AWS::Lambda::Function').map(([, resource]) =>
    readdirSync(template.bundleFolders.get((resource.Properties as { Code: { S3Key: string } }).Code.S3Key)!).sort(),
  );
  bundles = new Map(
    resourcesOfType(template, 'AWS::Lambda::Function').map(([logicalId, resource]) => {
      const { Code, Handler } = resource.Properties as { Code: { S3Key: string }; Handler: string };
      expect(Handler).toBe('index.handler');
      return [logicalId, readFileSync(path.join(template.bundleFolders.get(Code.S3Key)!, BUNDLE_FILE), 'utf8')];
    }),
  );
  externals = new Map(
    [...bundles].map(([logicalId, code]) => {
      const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map(([, name]) => name);
      return [logicalId, new Set(required.filter((name) => !isBuiltin(name)))];
    }),
  );
});

const ofRoute = <T>(routeId: string, of: Map<string, T>): T =>
  [...of].find(([logicalId]) => new RegExp(`^${routeId}Function[0-9A-F]{8}$`).test(logicalId))![1];
const functionOf = (routeId: string) => ofRoute(routeId, externals);

describe('the deployed bundles', () => {
  it('leave the AWS SDK, and only the AWS SDK, to the Lambda runtime', () => {
    const required = new Set([...externals.values()].flatMap((names) => [...names]));
    expect(required.size).toBeGreaterThan(0);
    for (const name of required) expect(name).toMatch(/^@aws-sdk\/[a-z0-9-]+$/);
  });

  it('find every package they leave to the runtime in the runtime modules of local mode', async () => {
    const folder = await runtimeModulesFolder(await mkdtemp(path.join(os.tmpdir(), 'guichet-runtime-')), REPOSITORY_ROOT);
    const fromRuntime = createRequire(path.join(folder, 'resolver.js'));
    for (const name of new Set([...externals.values()].flatMap((names) => [...names])))
      expect(() => fromRuntime.resolve(name)).not.toThrow();
    // What the SDK itself requires is not on the runtime's path: a bundle may not reach into it.
    expect(() => fromRuntime.resolve('@smithy/core')).toThrow();
  });

  it('load no SDK on the routes that call no AWS service (pages, discovery, the example API)', () => {
    const withoutAws = ROUTES.filter((route) => Object.keys(route.tables).length === 0 && route.secrets.length === 0);
    expect(withoutAws.map((route) => route.id)).toEqual(
      expect.arrayContaining(['AddinTransitPage', 'AuthorizationServerMetadata', 'ExternalApiMe']),
    );
    for (const route of withoutAws) expect([route.id, [...functionOf(route.id)]]).toEqual([route.id, []]);
  });

  it("carry the settings of the Lambdas, without the stack's (but the rotation function's one) or local mode's", () => {
    const marks = (code: string) => ({
      lambdas: code.includes('SESSION_TTL_SECONDS'),
      stack: code.includes('logRetentionDays'),
      local: code.includes('GUICHET_LOCAL_LOG'),
    });
    expect(marks(ofRoute('AuthLogin', bundles))).toEqual({ lambdas: true, stack: false, local: false });
    for (const [logicalId, code] of bundles) {
      const rotation = logicalId.startsWith('SigningKeysRotation');
      expect([logicalId, marks(code)]).toEqual([logicalId, expect.objectContaining({ stack: rotation, local: false })]);
    }
  });

  it('load the SDK clients of the services their route is granted', () => {
    expect(functionOf('Jwks')).toEqual(new Set(['@aws-sdk/client-secrets-manager']));
    expect(functionOf('AuthSession')).toEqual(new Set(['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb']));
  });
});

describe('Lambda bundling', () => {
  it('targets the runtime the functions use, and leaves to it what it provides', () => {
    expect(LAMBDA_BUNDLING.target).toBe('node24');
    expect(LAMBDA_BUNDLING.externalModules).toEqual(['@aws-sdk/*']);
  });
});

describe('the entry of every function', () => {
  it('is an ES module beside the CommonJS bundle, with no index.js that the runtime would load first', () => {
    expect(assetFiles.length).toBeGreaterThan(20);
    for (const files of assetFiles) expect(files).toEqual([BUNDLE_FILE, 'index.js.map', ENTRY_FILE].sort());
  });

  it("awaits the bundle's preparations before the runtime may call the handler: that work is init", async () => {
    const folder = await mkdtemp(path.join(os.tmpdir(), 'guichet-entry-'));
    await writeFile(
      path.join(folder, 'index.js'),
      [
        'let prepared = false;',
        '(globalThis[Symbol.for("guichet.preparations")] ??= []).push(new Promise((resolve) => setTimeout(() => resolve(prepared = true), 50)));',
        'exports.handler = async () => prepared;',
      ].join('\n'),
    );
    execFileSync('bash', ['-c', entryCommands(folder).join(' && ')]);
    const answer = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import(${JSON.stringify(path.join(folder, ENTRY_FILE))}); process.stdout.write(String(await handler()));`,
      ],
      {
        encoding: 'utf8',
      },
    );
    expect(answer).toBe('true');
  });
});
