import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROUTES } from '../../lambdas/routes';
import { LAMBDA_SETTINGS, LOCAL_SETTINGS, type SettingDefinition, STACK_SETTINGS } from '../../lambdas/settings';
import { settingText } from '../../lambdas/shared/setting-values';
import { REFERENCE_FILE } from '../../lib/settings-reference';

const ROOT = path.join(__dirname, '..', '..');
const contract = readFileSync(path.join(ROOT, 'docs/CONTRACT.md'), 'utf8');
const readme = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const reference = readFileSync(path.join(ROOT, REFERENCE_FILE), 'utf8');

/** Every `METHOD /path…` the contract names, without its query or optional parts. */
const contractEndpoints = [...contract.matchAll(/`(GET|POST) (\/[^`?[\s]*)/g)].map(([, method, route]) => `${method} ${route}`);

/** The rows of the contract's configuration table: `NAME` or `NAME` / `NAME`, a meaning, a default. */
const configurationRows = [...contract.matchAll(/^\| (`[A-Z_]+`(?: \/ `[A-Z_]+`)?) \| .+ \| (.+) \|$/gm)].map(([, names, defaults]) => ({
  names: [...names.matchAll(/`([A-Z_]+)`/g)].map(([, name]) => name),
  defaults: defaults.split(' / '),
}));
const contractVariables = configurationRows.flatMap((row) => row.names);

const SETTINGS_BY_VARIABLE = new Map(
  Object.values({ ...LAMBDA_SETTINGS, ...STACK_SETTINGS, ...LOCAL_SETTINGS } as Record<string, SettingDefinition>).map((setting) => [
    setting.envVar,
    setting,
  ]),
);

/** Every way lambdas/settings.ts states a setting's default, deployed or local: its values, and the code in its texts. */
function statedDefaults(setting: SettingDefinition): string[] {
  const values = [setting.default, setting.localDefault].filter((value) => value !== undefined);
  const texts = [setting.defaultText, setting.localDefaultText].flatMap((text) => [...(text ?? '').matchAll(/`([^`]+)`/g)]);
  return [...values.map((value) => settingText(setting.kind, value)), ...texts.map(([, code]) => code)];
}

describe('docs/CONTRACT.md, the contract a clone carries', () => {
  it('is the shared contract, word for word, where the shared folder is present', () => {
    const shared = path.join(ROOT, '..', 'shared', 'CONTRACT.md');
    if (existsSync(shared)) expect(contract).toBe(readFileSync(shared, 'utf8'));
    expect(contract).toMatch(/^# guichet — public contract/);
  });

  it('names only endpoints that the route table has', () => {
    expect(contractEndpoints.length).toBeGreaterThanOrEqual(15);
    const routes = ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(contractEndpoints.filter((endpoint) => !routes.includes(endpoint))).toEqual([]);
  });

  it('has every configuration variable documented in the generated configuration reference', () => {
    expect(contractVariables.length).toBeGreaterThanOrEqual(20);
    const documented = (name: string) => reference.includes(`### \`${name}\``) || reference.includes(`| \`${name}\` |`);
    expect(contractVariables.filter((name) => !documented(name))).toEqual([]);
  });

  it('names only settings of lambdas/settings.ts, with the default the contract states, where it states a value', () => {
    expect(contractVariables.filter((name) => !SETTINGS_BY_VARIABLE.has(name))).toEqual([]);
    const checked = configurationRows.flatMap(({ names, defaults }) =>
      names.flatMap((name, index) => {
        // A cell of code alone states a value (`a` / `b` for two variables); prose describes one.
        const cell = defaults.length === names.length ? defaults[index] : defaults.join(' / ');
        const value = /^`([^`]+)`$/.exec(cell.trim())?.[1];
        return value === undefined ? [] : [[name, value, statedDefaults(SETTINGS_BY_VARIABLE.get(name)!)] as const];
      }),
    );
    expect(checked.length).toBeGreaterThanOrEqual(15);
    for (const [name, value, stated] of checked) expect([name, stated]).toEqual([name, expect.arrayContaining([value])]);
  });

  it('is what the README links to, not a folder outside the repository', () => {
    expect(readme).toContain('(docs/CONTRACT.md)');
    expect(readme).not.toContain('../shared/');
  });
});
