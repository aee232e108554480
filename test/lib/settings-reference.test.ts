import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LAMBDA_SETTINGS, LOCAL_SETTINGS, type SettingTable, STACK_SETTINGS } from '../../lambdas/settings';
import { defaultOf, localDefaultOf, REFERENCE_FILE, settingsDocumentation, settingsReference } from '../../lib/settings-reference';

const REPOSITORY = path.join(__dirname, '..', '..');
const reference = settingsReference();

test(`${REFERENCE_FILE} is what \`npm run docs\` writes from lambdas/settings.ts now: run it after changing a setting`, () => {
  expect(readFileSync(path.join(REPOSITORY, REFERENCE_FILE), 'utf8')).toBe(reference);
});

test('says it is generated, from what, and how to write it again', () => {
  expect(reference.split('\n')[0]).toMatch(/^<!-- Generated from lambdas\/settings\.ts by `npm run docs`.*-->$/);
});

test('groups the settings by who reads them, each under its context key, or its variable in local mode', () => {
  const headings = [...reference.matchAll(/^## (.+)$/gm)].map(([, heading]) => heading);
  expect(headings).toEqual(['Deployed settings: the Lambdas read them', 'Deploy-time settings: the stack reads them', 'Local mode only']);
  const sections = reference.split(/^## /m).slice(1);
  const names = (section: string) => [...section.matchAll(/^### `([^`]+)`$/gm)].map(([, name]) => name);
  expect(names(sections[0])).toEqual(Object.keys(LAMBDA_SETTINGS).map((key) => (key === 'publicUrl' ? 'GUICHET_PUBLIC_URL' : key)));
  expect(names(sections[1])).toEqual(Object.keys(STACK_SETTINGS));
  expect(names(sections[2])).toEqual(Object.values(LOCAL_SETTINGS).map((setting) => setting.envVar));
});

test("gives each setting its documentation, variable, value, default, and local mode's where it differs", () => {
  const documentation = settingsDocumentation();
  const section = reference.slice(reference.indexOf('### `sessionTtlSeconds`'));
  expect(section.slice(0, section.indexOf('\n###'))).toBe(
    [
      '### `sessionTtlSeconds`',
      '',
      documentation.entries.LAMBDA_SETTINGS.sessionTtlSeconds,
      '',
      '- context key: `sessionTtlSeconds`',
      '- variable: `SESSION_TTL_SECONDS`',
      '- value: a positive whole number',
      '- default: `43200`',
      '',
    ].join('\n'),
  );
  expect(defaultOf(LAMBDA_SETTINGS.oidcIssuer)).toBe('required');
  expect(defaultOf(LAMBDA_SETTINGS.corsOrigins)).toBe('none');
  expect(defaultOf(LAMBDA_SETTINGS.accessTokenAudience)).toBe('`GUICHET_PUBLIC_URL` + `/external-api`');
  expect(defaultOf(STACK_SETTINGS.alarmEmail)).toBe('unset');
  expect(localDefaultOf(LAMBDA_SETTINGS.allowLoopbackEndpoints)).toBe('`true`');
  expect(localDefaultOf(LAMBDA_SETTINGS.oidcScopes)).toBeUndefined();
  for (const table of [LAMBDA_SETTINGS, STACK_SETTINGS, LOCAL_SETTINGS] as SettingTable[]) {
    for (const setting of Object.values(table)) expect(reference).toContain(`- default: ${defaultOf(setting)}\n`);
  }
});

test("takes the documentation from the comment above each entry, and each table's from the comment above it", () => {
  const source = [
    'import { x } from "y";',
    "/** The Lambdas' settings,",
    ' *  on two lines. */',
    'export const LAMBDA_SETTINGS = {',
    '  /** What it is. */',
    '  sessionTtlSeconds: count({ default: 1 }),',
    '  undocumented: count({}),',
    '} as const satisfies SettingTable;',
    'const OTHER = { /** Not a table of settings. */ a: 1 };',
  ].join('\n');
  expect(settingsDocumentation(source)).toEqual({
    tables: { LAMBDA_SETTINGS: "The Lambdas' settings, on two lines." },
    entries: { LAMBDA_SETTINGS: { sessionTtlSeconds: 'What it is.', undocumented: '' } },
  });
});
