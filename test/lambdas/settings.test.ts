import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { App } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { QUEUES } from '../../lambdas/queues';
import { ROUTES } from '../../lambdas/routes';
import { SECRETS } from '../../lambdas/secrets';
import {
  LAMBDA_SETTINGS,
  type LambdaSettings,
  LOCAL_SETTINGS,
  LOG_RETENTION_DAYS,
  type SettingDefinition,
  type SettingTable,
  STACK_SETTINGS,
  type StackSettings,
} from '../../lambdas/settings';
import { type AppConfig, loadConfig } from '../../lambdas/shared/config';
import { readSettings } from '../../lambdas/shared/setting-values';
import { TABLES } from '../../lambdas/tables';
import { CONTEXT_SETTINGS, type GuichetProps, propsFromContext } from '../../lib/guichet-config';
import { baseLambdaEnvironment } from '../../lib/lambda-environment';
import { settingsDocumentation } from '../../lib/settings-reference';

const REPOSITORY = path.join(__dirname, '..', '..');
const TABLES_OF_SETTINGS = { LAMBDA_SETTINGS, STACK_SETTINGS, LOCAL_SETTINGS } as const satisfies Record<string, SettingTable>;
const MINIMAL = { GUICHET_PUBLIC_URL: 'https://auth.example.com', OIDC_ISSUER: 'https://idp.example.com', OIDC_CLIENT_ID: 'guichet' };
/** What loadConfig adds to the settings: values made from them, and a constant no setting changes. */
const DERIVED_CONFIG = ['backchannelLogoutUris', 'loginFlowTtlSeconds'];

/** Exactly equal types, or a compile error where this is assigned `true`. */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

// `npm test` type-checks these: a prop or a configuration field declared by hand, beside the table, fails to compile.
const propsAreTheContextKeys: Equal<keyof GuichetProps, Exclude<keyof LambdaSettings, 'publicUrl'> | keyof StackSettings> = true;
const configIsTheLambdaSettings: Equal<keyof AppConfig, keyof LambdaSettings | 'backchannelLogoutUris' | 'loginFlowTtlSeconds'> = true;

describe('a setting is described in lambdas/settings.ts alone', () => {
  test('the types of the props and of the configuration are the tables', () => {
    expect([propsAreTheContextKeys, configIsTheLambdaSettings]).toEqual([true, true]);
  });

  test('the Lambdas read exactly the variables of LAMBDA_SETTINGS', () => {
    const read = new Set<string>();
    loadConfig(
      new Proxy(MINIMAL, {
        get(target, name) {
          if (typeof name === 'string') read.add(name);
          return Reflect.get(target, name);
        },
      }),
    );
    expect([...read].sort()).toEqual(
      Object.values(LAMBDA_SETTINGS)
        .map((setting) => setting.envVar)
        .sort(),
    );
  });

  test('the configuration holds every setting of LAMBDA_SETTINGS under its key, besides what it derives', () => {
    expect(Object.keys(loadConfig(MINIMAL)).sort()).toEqual([...Object.keys(LAMBDA_SETTINGS), ...DERIVED_CONFIG].sort());
  });

  test('the stack reads exactly the context keys of LAMBDA_SETTINGS (but the public URL) and STACK_SETTINGS', () => {
    const read: string[] = [];
    const node = { tryGetContext: (key: string) => void read.push(key) };
    expect(() => propsFromContext(node as unknown as App['node'])).toThrow('missing context');
    const expected = [...Object.keys(LAMBDA_SETTINGS).filter((key) => key !== 'publicUrl'), ...Object.keys(STACK_SETTINGS)];
    expect(read.sort()).toEqual(expected.sort());
    expect(Object.keys(CONTEXT_SETTINGS).sort()).toEqual(expected.sort());
  });

  test("every variable the Lambdas name in their code is a setting, a table, secret or queue, or the runtime's", () => {
    const named = new Set(sourcesUnder('lambdas').flatMap((source) => variablesNamedIn(source)));
    const described = new Set([
      ...Object.values({ ...LAMBDA_SETTINGS, ...STACK_SETTINGS }).flatMap((setting) => ('envVar' in setting ? [setting.envVar] : [])),
      ...Object.values(TABLES).map((table) => table.envVar),
      ...Object.values(SECRETS).map((secret) => secret.arnEnvVar),
      ...Object.values(QUEUES).map((queue) => queue.urlEnvVar),
      ...Object.keys(baseLambdaEnvironment()),
    ]);
    // The code names at least the one the runtime sets, so the scan finds what it looks for.
    expect(named).toContain('AWS_LAMBDA_FUNCTION_NAME');
    expect([...named].filter((name) => !described.has(name) && !name.startsWith('AWS_'))).toEqual([]);
  });

  test('every variable local mode names in its code is a setting', () => {
    const named = new Set(['local', 'common'].flatMap(sourcesUnder).flatMap((source) => variablesNamedIn(source)));
    const described = new Set(variablesOfSettings());
    expect(named).toContain('GUICHET_LOCAL_DIR');
    // The machine's, and what local mode sets for the SDK, not for the operator.
    const notSettings = ['XDG_CACHE_HOME', 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'];
    expect([...named].filter((name) => !described.has(name) && !notSettings.includes(name))).toEqual([]);
  });

  test('each context key is its variable in camel case, so neither can be mistyped', () => {
    for (const [key, setting] of Object.entries({ ...LAMBDA_SETTINGS, ...STACK_SETTINGS, ...LOCAL_SETTINGS } as SettingTable)) {
      if (setting.envVar && !setting.stackSets) expect(key).toBe(camelCase(setting.envVar));
    }
  });

  test('no variable is described twice', () => {
    const named = variablesOfSettings();
    expect(named.filter((name, index) => named.indexOf(name) !== index)).toEqual([]);
  });
});

describe('the entries', () => {
  test.each(Object.keys(TABLES_OF_SETTINGS))('of %s are each documented by the comment above it', (table) => {
    const documentation = settingsDocumentation();
    expect(documentation.tables[table]).toMatch(/\w{3}/);
    for (const key of Object.keys(TABLES_OF_SETTINGS[table as keyof typeof TABLES_OF_SETTINGS])) {
      expect([key, documentation.entries[table][key]]).toEqual([key, expect.stringMatching(/^\S.{10,}\.$/)]);
    }
  });

  /** The deployed settings together, since some rules compare one with another, and local mode's. */
  const readings = [{ ...LAMBDA_SETTINGS, ...STACK_SETTINGS }, LOCAL_SETTINGS] as const satisfies readonly SettingTable[];
  const context = { routeIds: ROUTES.map((route) => route.id) };

  test.each(['default', 'localDefault', 'example'] as const)('give a %s that passes their rules', (field) => {
    for (const table of readings) {
      // An empty list is what an unset one means (CORS_ORIGINS: none), not a value an operator may give.
      const given = (_: string, setting: SettingDefinition) => (isEmptyList(setting[field]) ? undefined : setting[field]);
      const reading = readSettings(table, given, { nameOf: (key) => key, context });
      expect(reading.problems).toEqual([]);
    }
  });

  test('give examples that meet the rules comparing settings: the example API is one of the example audiences', () => {
    const reading = readSettings(CONTEXT_SETTINGS, (_, setting) => setting.example, { nameOf: (key) => key, context });
    expect(reading.values.exampleProductApi).toEqual(STACK_SETTINGS.exampleProductApi.example);
  });

  test('list the retentions CloudWatch Logs has, as aws-cdk-lib does', () => {
    expect(LOG_RETENTION_DAYS).toEqual(Object.values(logs.RetentionDays).filter((days) => typeof days === 'number'));
  });
});

function variablesOfSettings(): string[] {
  const settings = Object.values(TABLES_OF_SETTINGS).flatMap((table) => Object.values(table as SettingTable));
  return settings.flatMap((setting) => (setting.envVar ? [setting.envVar] : []));
}

function isEmptyList(value: unknown): boolean {
  return Array.isArray(value) && value.length === 0;
}

function camelCase(variable: string): string {
  return variable.toLowerCase().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function sourcesUnder(folder: string): string[] {
  return readdirSync(path.join(REPOSITORY, folder), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(path.join(REPOSITORY, folder, file), 'utf8'));
}

/** The variables a source reads by name: `env.NAME`, `env?.NAME`, `env['NAME']`, whatever the object is called. */
function variablesNamedIn(source: string): string[] {
  const reads = source.matchAll(/\benv\??\.([A-Z][A-Z0-9_]+)\b|\benv\[['"]([A-Z][A-Z0-9_]+)['"]\]/g);
  return [...reads].map(([, dotted, indexed]) => dotted ?? indexed);
}
