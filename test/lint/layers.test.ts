import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * The layer rules of biome.jsonc (`noRestrictedImports` per folder), run by Biome itself: each wrong-way import below,
 * added to a real file of the tree, is refused with its layer's message; each right-way one passes. The files are
 * written to a temporary copy of the layout with the repository's configuration, never into the tree (Biome prints
 * no diagnostics for `--stdin-file-path`).
 */
const ROOT = path.join(__dirname, '..', '..');
const BIOME = path.join(ROOT, 'node_modules', '@biomejs', 'biome', 'bin', 'biome');
const run = promisify(execFile);

const LAMBDAS_ALONE = /lambdas\/ is bundled into functions that deploy alone/;
const SHARED_AT_BOTTOM = /lambdas\/shared\/ is the bottom layer/;
const DOMAIN_PLAIN = /lambdas\/domain\/ takes and returns plain values/;
const REPOSITORIES_BELOW = /lambdas\/repositories\/ store and read one table each/;
const NOT_RUNTIME_CONFIG = /lib\/ builds the stack from the settings table/;
const LIB_DEPLOYED = /lib\/ is the deployed stack/;
const LOCAL_NOT_CLI = /local\/ and cli\/ do not import each other/;
const CLI_NOT_LOCAL = /cli\/ and local\/ do not import each other/;
const COMMON_ALONE = /common\/ is what local mode and the CLI share/;
const HARNESS_SHARED = /harness\/ is shared by the tests and the bench/;
const BENCH_NOT_TESTS = /bench\/ does not import the tests/;

interface ImportCase {
  /** A file of the tree, whose content the import is added to. */
  readonly file: string;
  readonly specifier: string;
}

const WRONG_WAY: readonly (ImportCase & { readonly rule: string; readonly message: RegExp })[] = [
  { rule: 'shared → domain', file: 'lambdas/shared/time.ts', specifier: '../domain/sessions', message: SHARED_AT_BOTTOM },
  {
    rule: 'shared → domain, one folder deeper',
    file: 'lambdas/shared/middleware/http-handler.ts',
    specifier: '../../domain/sessions',
    message: SHARED_AT_BOTTOM,
  },
  { rule: 'shared → handlers', file: 'lambdas/shared/time.ts', specifier: '../handlers/session-credentials', message: SHARED_AT_BOTTOM },
  { rule: 'shared → repositories', file: 'lambdas/shared/dynamo.ts', specifier: '../repositories/sessions', message: SHARED_AT_BOTTOM },
  { rule: 'domain → the HTTP event', file: 'lambdas/domain/sessions.ts', specifier: '../shared/http', message: DOMAIN_PLAIN },
  { rule: 'domain → cookie text', file: 'lambdas/domain/web-login.ts', specifier: '../shared/cookies', message: DOMAIN_PLAIN },
  {
    rule: 'domain → middleware',
    file: 'lambdas/domain/sessions.ts',
    specifier: '../shared/middleware/http-handler',
    message: DOMAIN_PLAIN,
  },
  { rule: 'domain → API Gateway types', file: 'lambdas/domain/sessions.ts', specifier: 'aws-lambda', message: DOMAIN_PLAIN },
  { rule: 'domain → handlers', file: 'lambdas/domain/sessions.ts', specifier: '../handlers/session-credentials', message: DOMAIN_PLAIN },
  { rule: 'repositories → domain', file: 'lambdas/repositories/sessions.ts', specifier: '../domain/sessions', message: REPOSITORIES_BELOW },
  { rule: 'lambdas → lib', file: 'lambdas/handlers/auth/login.ts', specifier: '../../../lib/naming', message: LAMBDAS_ALONE },
  { rule: 'lambdas → local', file: 'lambdas/routes.ts', specifier: '../local/start', message: LAMBDAS_ALONE },
  { rule: 'lambdas → cli', file: 'lambdas/repositories/applications.ts', specifier: '../../cli/stack', message: LAMBDAS_ALONE },
  { rule: 'lambdas → bench', file: 'lambdas/domain/sessions.ts', specifier: '../../bench/report', message: LAMBDAS_ALONE },
  { rule: 'lambdas → test', file: 'lambdas/shared/time.ts', specifier: '../../test/support/pkce', message: LAMBDAS_ALONE },
  { rule: 'lambdas → harness', file: 'lambdas/handlers/auth/session.ts', specifier: '../../../harness/sessions', message: LAMBDAS_ALONE },
  { rule: 'lib → the runtime config', file: 'lib/guichet-stack.ts', specifier: '../lambdas/shared/config', message: NOT_RUNTIME_CONFIG },
  {
    rule: 'lib → the runtime config, one folder deeper',
    file: 'lib/constructs/guichet-api.ts',
    specifier: '../../lambdas/shared/config',
    message: NOT_RUNTIME_CONFIG,
  },
  { rule: 'lib → local', file: 'lib/guichet-stack.ts', specifier: '../local/start', message: LIB_DEPLOYED },
  { rule: 'bench → test', file: 'bench/run.ts', specifier: '../test/support/pkce', message: BENCH_NOT_TESTS },
  { rule: 'cli → local', file: 'cli/stack.ts', specifier: '../local/start', message: CLI_NOT_LOCAL },
  { rule: 'local → cli', file: 'local/start.ts', specifier: '../cli/run-apps', message: LOCAL_NOT_CLI },
  {
    rule: 'local → cli, one folder deeper',
    file: 'local/playground/playground.ts',
    specifier: '../../cli/run-apps',
    message: LOCAL_NOT_CLI,
  },
  { rule: 'local → test', file: 'local/start.ts', specifier: '../test/support/local-guichet', message: LOCAL_NOT_CLI },
  { rule: 'common → local', file: 'common/state-file.ts', specifier: '../local/start', message: COMMON_ALONE },
  { rule: 'harness → test', file: 'harness/sessions.ts', specifier: '../test/support/pkce', message: HARNESS_SHARED },
];

const RIGHT_WAY: readonly (ImportCase & { readonly why: string })[] = [
  { why: 'shared → the Lambdas’ tables', file: 'lambdas/shared/dynamo.ts', specifier: '../tables' },
  { why: 'shared → shared', file: 'lambdas/shared/time.ts', specifier: './crypto' },
  { why: 'domain → shared values', file: 'lambdas/domain/sessions.ts', specifier: '../shared/crypto' },
  { why: 'domain → repositories', file: 'lambdas/domain/web-login.ts', specifier: '../repositories/login-flows' },
  { why: 'domain → Powertools', file: 'lambdas/domain/sessions.ts', specifier: '@aws-lambda-powertools/metrics' },
  { why: 'handlers → domain', file: 'lambdas/handlers/auth/login.ts', specifier: '../../domain/web-login' },
  { why: 'handlers → cookies', file: 'lambdas/handlers/auth/login.ts', specifier: '../../shared/cookies' },
  { why: 'lib → the Lambdas’ tables', file: 'lib/constructs/guichet-tables.ts', specifier: '../../lambdas/tables' },
  { why: 'lib → aws-cdk-lib', file: 'lib/guichet-stack.ts', specifier: 'aws-cdk-lib/aws-lambda' },
  { why: 'cli → common', file: 'cli/stack.ts', specifier: '../common/state-file' },
  { why: 'local → common', file: 'local/start.ts', specifier: '../common/ports' },
  { why: 'common → the settings table', file: 'common/ports.ts', specifier: '../lambdas/settings' },
  { why: 'bench → harness', file: 'bench/local-guichet.ts', specifier: '../harness/sessions' },
  { why: 'bin → local and cli', file: 'bin/local.ts', specifier: '../cli/apps-in-process' },
  { why: 'test → local', file: 'test/support/local-guichet.ts', specifier: '../../local/start' },
];

/** The diagnostics of the import rule by file, for every case at once: one Biome run over a copy of the layout. */
async function restrictedImports(cases: readonly ImportCase[]): Promise<Map<string, string[]>> {
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'guichet-layers-'));
  try {
    const config = readFileSync(path.join(ROOT, 'biome.jsonc'), 'utf8').replace('"./node_modules/', `"${ROOT}/node_modules/`);
    writeFileSync(path.join(scratch, 'biome.jsonc'), config);
    const written = cases.map((importCase, index) => {
      // Each case in a file of its own, beside the real one: the rules look at the folder and the specifier.
      const file = path.join(path.dirname(importCase.file), `case-${index}-${path.basename(importCase.file)}`);
      const original = readFileSync(path.join(ROOT, importCase.file), 'utf8');
      mkdirSync(path.join(scratch, path.dirname(file)), { recursive: true });
      writeFileSync(path.join(scratch, file), `import * as added from '${importCase.specifier}';\nexport { added };\n${original}`);
      return file;
    });
    const args = [
      BIOME,
      'lint',
      '--only=style/noRestrictedImports',
      '--reporter=github',
      '--vcs-enabled=false',
      '--max-diagnostics=none',
      '.',
    ];
    const { stdout } = await run(process.execPath, args, { cwd: scratch }).catch((failed: { stdout?: string; stderr?: string }) => {
      if (!failed.stdout?.includes('::error')) throw new Error(`biome failed: ${failed.stderr}`);
      return { stdout: failed.stdout };
    });
    const byFile = new Map<string, string[]>(written.map((file) => [file, []]));
    for (const [, file, message] of stdout.matchAll(/^::error title=lint\/style\/noRestrictedImports,file=([^,]+),[^:]*::(.*)$/gm)) {
      byFile.get(path.relative(scratch, file))?.push(message);
    }
    return new Map(written.map((file, index) => [`${cases[index].file} ← ${cases[index].specifier}`, byFile.get(file)!]));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

describe('the layer rules (biome.jsonc, noRestrictedImports)', () => {
  let found: Map<string, string[]>;
  beforeAll(async () => {
    for (const { file } of [...WRONG_WAY, ...RIGHT_WAY]) expect(existsSync(path.join(ROOT, file))).toBe(true);
    found = await restrictedImports([...WRONG_WAY, ...RIGHT_WAY]);
  }, 60_000);

  it.each(WRONG_WAY)('refuse $rule: $file importing $specifier', ({ file, specifier, message }) => {
    const diagnostics = found.get(`${file} ← ${specifier}`)!;
    expect(diagnostics).toHaveLength(1);
    expect(diagnostics[0]).toMatch(message);
  });

  it.each(RIGHT_WAY)('let $why through: $file importing $specifier', ({ file, specifier }) => {
    expect(found.get(`${file} ← ${specifier}`)).toEqual([]);
  });

  it('hold in the tree as it is', async () => {
    const args = [BIOME, 'lint', '--only=style/noRestrictedImports', '--reporter=github', '--max-diagnostics=none', '.'];
    const refused = await run(process.execPath, args, { cwd: ROOT }).then(
      () => [],
      (failed: { stdout?: string; stderr?: string }) => [failed.stdout, failed.stderr].join('\n').split('\n').filter(Boolean),
    );
    expect(refused).toEqual([]);
  }, 60_000);
});

test('npm test runs the lint, layers included, before the tests', () => {
  const { scripts } = JSON.parse(readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { scripts: Record<string, string> };
  expect(scripts.lint).toBe('biome ci .');
  expect(scripts.test.split(' && ')).toEqual(expect.arrayContaining(['npm run lint']));
  expect(scripts.test.indexOf('npm run lint')).toBeLessThan(scripts.test.indexOf('jest'));
});
