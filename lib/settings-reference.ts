import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { LAMBDA_SETTINGS, LOCAL_SETTINGS, type SettingDefinition, type SettingTable, STACK_SETTINGS } from '../lambdas/settings';
import { settingText } from '../lambdas/shared/setting-values';

/**
 * The configuration reference, docs/configuration.md, written from lambdas/settings.ts alone: each setting's entry
 * (variable, value, defaults, example) and the comment above it (its documentation), as node-oidc-provider writes
 * its reference from the source of its defaults. `npm run docs` writes it; a test fails while the committed file
 * differs from what this makes.
 */

const REPOSITORY_ROOT = path.resolve(__dirname, '..');
export const SETTINGS_SOURCE = 'lambdas/settings.ts';
export const REFERENCE_FILE = 'docs/configuration.md';

interface Section {
  readonly table: keyof typeof TABLES;
  readonly title: string;
  /** Settings that have a context key are named by it; local mode's by their variable. */
  readonly byContextKey: boolean;
  /** Whether the operator sets the variables: the stack's settings have none, or one only the stack sets. */
  readonly variables: boolean;
}

const TABLES = { LAMBDA_SETTINGS, STACK_SETTINGS, LOCAL_SETTINGS } as const satisfies Record<string, SettingTable>;

const SECTIONS: readonly Section[] = [
  { table: 'LAMBDA_SETTINGS', title: 'Deployed settings: the Lambdas read them', byContextKey: true, variables: true },
  { table: 'STACK_SETTINGS', title: 'Deploy-time settings: the stack reads them', byContextKey: true, variables: false },
  { table: 'LOCAL_SETTINGS', title: 'Local mode only', byContextKey: false, variables: true },
];

const KIND_VALUES: Readonly<Record<SettingDefinition['kind'], string>> = {
  text: 'text',
  count: 'a positive whole number',
  number: 'a number',
  port: 'a port number (0 picks a free one)',
  list: 'a comma-separated list (a JSON array in cdk.json)',
  json: 'JSON (a JSON value in cdk.json, JSON text with `-c` and in the variable)',
  flag: '`true` or `false`',
};

/** The comments of lambdas/settings.ts: each table's, and each entry's by table and key. */
export interface SettingsDocumentation {
  readonly tables: Readonly<Record<string, string>>;
  readonly entries: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

export function settingsDocumentation(source = readFileSync(path.join(REPOSITORY_ROOT, SETTINGS_SOURCE), 'utf8')): SettingsDocumentation {
  const file = ts.createSourceFile(SETTINGS_SOURCE, source, ts.ScriptTarget.Latest, true);
  const tables: Record<string, string> = {};
  const entries: Record<string, Record<string, string>> = {};
  for (const statement of file.statements) {
    if (!ts.isVariableStatement(statement)) continue;
    for (const declaration of statement.declarationList.declarations) {
      const name = declaration.name.getText(file);
      const literal = declaration.initializer && objectLiteralIn(declaration.initializer);
      if (!(name in TABLES) || !literal) continue;
      tables[name] = commentOf(statement);
      entries[name] = Object.fromEntries(
        literal.properties.filter(ts.isPropertyAssignment).map((property) => [property.name.getText(file), commentOf(property)]),
      );
    }
  }
  return { tables, entries };
}

/** docs/configuration.md as lambdas/settings.ts describes the settings now. */
export function settingsReference(documentation: SettingsDocumentation = settingsDocumentation()): string {
  const lines = [
    `<!-- Generated from ${SETTINGS_SOURCE} by \`npm run docs\`: edit the entries and their comments there, then run it again. -->`,
    '',
    '# Configuration reference',
    '',
    `Every setting of guichet, as \`${SETTINGS_SOURCE}\` describes it. A deploy reads the context keys: \`-c key=value\`,`,
    'or the `context` of your `cdk.json`, checked all at once at synth time. `npm start` reads the variables and passes',
    'them to the stack it synthesizes as the same context keys: what you set locally is what a deploy with the same',
    'context runs. The Lambdas refuse to start, naming every problem, if a variable is wrong; the synth refuses the',
    'same values in the same words.',
  ];
  for (const section of SECTIONS) lines.push('', ...sectionLines(section, documentation));
  return `${lines.join('\n')}\n`;
}

function sectionLines(section: Section, documentation: SettingsDocumentation): string[] {
  const { table, title, byContextKey } = section;
  const settings = Object.entries(TABLES[table] as SettingTable);
  const nameOf = (key: string, setting: SettingDefinition) => (byContextKey && !setting.stackSets ? key : setting.envVar!);
  const columns = [byContextKey ? 'context key' : 'variable', ...(variableColumn(section) ? ['variable'] : []), 'default'];
  const lines = [`## ${title}`, '', documentation.tables[table], '', `| ${columns.join(' | ')} |`, `|${' --- |'.repeat(columns.length)}`];
  for (const [key, setting] of settings) {
    const name = nameOf(key, setting);
    const variable = variableColumn(section) ? [`\`${setting.envVar}\``] : [];
    const cells = [`[\`${name}\`](#${name.toLowerCase()})`, ...variable, defaultOf(setting)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  for (const [key, setting] of settings) {
    lines.push('', `### \`${nameOf(key, setting)}\``, '', documentation.entries[table][key], '', ...factsOf(key, setting, section));
  }
  return lines;
}

/** Settings named by their context key whose variable the operator sets show it beside. */
function variableColumn({ byContextKey, variables }: Section): boolean {
  return byContextKey && variables;
}

function factsOf(key: string, setting: SettingDefinition, section: Section): string[] {
  const facts = [];
  if (section.byContextKey) facts.push(setting.stackSets ? '- context key: none, the stack sets it' : `- context key: \`${key}\``);
  if (variableColumn(section)) facts.push(`- variable: \`${setting.envVar}\``);
  facts.push(`- value: ${setting.oneOf ? `one of ${setting.oneOf.map((value) => `\`${value}\``).join(', ')}` : KIND_VALUES[setting.kind]}`);
  facts.push(`- default: ${defaultOf(setting)}`);
  const localDefault = localDefaultOf(setting);
  if (localDefault) facts.push(`- in local mode: ${localDefault}`);
  if (setting.example !== undefined) facts.push(`- example: \`${settingText(setting.kind, setting.example)}\``);
  return facts;
}

/** The deployed default, as the reference writes it. */
export function defaultOf(setting: SettingDefinition): string {
  if (setting.stackSets) return `set by the stack: ${setting.defaultText}`;
  if (setting.required) return 'required';
  if (setting.default !== undefined) return valueText(setting, setting.default);
  return setting.defaultText ?? 'unset';
}

/** Local mode's default where it differs from the deployed one, as the reference writes it. */
export function localDefaultOf(setting: SettingDefinition): string | undefined {
  return setting.localDefault === undefined ? setting.localDefaultText : valueText(setting, setting.localDefault);
}

function valueText(setting: SettingDefinition, value: unknown): string {
  const text = settingText(setting.kind, value);
  return text === '' ? 'none' : `\`${text}\``;
}

function objectLiteralIn(expression: ts.Expression): ts.ObjectLiteralExpression | undefined {
  let inner: ts.Expression = expression;
  while (ts.isAsExpression(inner) || ts.isSatisfiesExpression(inner)) inner = inner.expression;
  return ts.isObjectLiteralExpression(inner) ? inner : undefined;
}

/** The JSDoc comment of a node, as one paragraph. */
function commentOf(node: ts.Node): string {
  const comment = ts.getJSDocCommentsAndTags(node).find(ts.isJSDoc)?.comment;
  return (typeof comment === 'string' ? comment : (ts.getTextOfJSDocComment(comment) ?? '')).replace(/\s+/g, ' ').trim();
}

if (require.main === module) {
  writeFileSync(path.join(REPOSITORY_ROOT, REFERENCE_FILE), settingsReference());
  console.log(`wrote ${REFERENCE_FILE}`);
}
