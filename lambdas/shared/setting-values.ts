import type { CheckContext, Problems, SettingDefinition, SettingKind, SettingTable } from '../settings';

/**
 * Reads settings as lambdas/settings.ts describes them, wherever they come from: an environment variable (text),
 * a context key (text with `-c`, JSON values in cdk.json) or the stack's props (typed values). Each value is parsed
 * by its kind, checked by its rule, then normalized; every problem is named by the name the operator typed, so a
 * deployment and a Lambda refuse a value in the same words.
 */

export interface SettingsReading {
  /** The values given and usable, by key; unset and refused ones are absent. */
  readonly values: Readonly<Record<string, unknown>>;
  /** Keys of the required settings given no value. */
  readonly missing: readonly string[];
  readonly problems: readonly string[];
}

export interface ReadOptions {
  /** How the operator names a setting: its variable or its context key. */
  readonly nameOf: (key: string, setting: SettingDefinition) => string;
  /** What the rules need besides the settings (the route ids, for the stack). */
  readonly context?: Omit<CheckContext, 'settings'>;
}

/** The settings of `table` that `given` has a value for; blank text and null count as unset. */
export function readSettings(
  table: SettingTable,
  given: (key: string, setting: SettingDefinition) => unknown,
  { nameOf, context }: ReadOptions,
): SettingsReading {
  const parsed: Record<string, unknown> = {};
  const missing: string[] = [];
  const problems: Record<string, string[]> = {};
  for (const [key, setting] of Object.entries(table)) {
    const raw = given(key, setting);
    if (isUnset(raw)) {
      if (setting.required) missing.push(key);
      continue;
    }
    const value = parseValue(setting, raw);
    if (value.problem === undefined) parsed[key] = value.value;
    else problems[key] = [`${nameOf(key, setting)} ${value.problem}`];
  }
  // The rules run once every value is parsed: some compare a setting with another.
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const setting = table[key];
    const found = ruleProblems(setting, value, { ...context, settings: parsed });
    const separator = setting.kind === 'list' || setting.kind === 'json' ? ': ' : ' ';
    problems[key] = found.map((problem) => `${nameOf(key, setting)}${separator}${problem}`);
    if (found.length === 0) values[key] = setting.normalize ? (setting.normalize as (value: unknown) => unknown)(value) : value;
  }
  return { values, missing, problems: Object.keys(table).flatMap((key) => problems[key] ?? []) };
}

/**
 * The settings of `table` read from their variables, named by them, with their defaults (`publicUrl`: what derived
 * defaults are made from); `problems` names every missing or refused one, and then `values` is incomplete.
 */
export function settingsFromEnvironment(
  table: SettingTable,
  env: Readonly<Record<string, string | undefined>>,
  publicUrl?: (values: Readonly<Record<string, unknown>>) => string | undefined,
): { readonly values: Record<string, unknown>; readonly problems: readonly string[] } {
  const { values, missing, problems } = readSettings(table, (_, { envVar }) => env[envVar!], { nameOf: (_, { envVar }) => envVar! });
  return {
    values: withDefaults(table, values, publicUrl?.(values)),
    problems: [...missing.map((key) => `${table[key].envVar} is required`), ...problems],
  };
}

/**
 * `values` with the default of every setting of `table` left unset: its value, or the one it derives from the public
 * URL (given without its trailing slash).
 */
export function withDefaults(table: SettingTable, values: Readonly<Record<string, unknown>>, publicUrl?: string): Record<string, unknown> {
  const complete: Record<string, unknown> = { ...values };
  for (const [key, setting] of Object.entries(table)) {
    complete[key] ??= setting.default ?? (publicUrl === undefined ? undefined : setting.derive?.(publicUrl));
  }
  return complete;
}

/** A value as its variable, or `-c`, writes it. */
export function settingText(kind: SettingKind, value: unknown): string {
  if (kind === 'list') return (value as readonly string[]).join(',');
  if (kind === 'json') return JSON.stringify(value);
  return String(value);
}

function isUnset(raw: unknown): boolean {
  return raw === undefined || raw === null || (typeof raw === 'string' && raw.trim() === '');
}

type Parsed = { readonly value: unknown; readonly problem?: undefined } | { readonly value?: undefined; readonly problem: string };

const PARSERS: Readonly<Record<SettingKind, (raw: unknown) => Parsed>> = {
  text: (raw) => (typeof raw === 'string' ? { value: raw.trim() } : refused('must be text', raw)),
  count: (raw) => {
    const value = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
    return Number.isSafeInteger(value) && (value as number) > 0 ? { value } : refused('must be a positive whole number', raw);
  },
  number: (raw) => {
    const value = typeof raw === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(raw) ? Number(raw) : raw;
    return typeof value === 'number' && Number.isFinite(value) ? { value } : refused('must be a number', raw);
  },
  port: (raw) => {
    const value = typeof raw === 'string' && /^\s*\d+\s*$/.test(raw) ? Number(raw) : raw;
    return Number.isInteger(value) && (value as number) <= 65_535 ? { value } : refused('must be a port number (0 picks a free one)', raw);
  },
  list: (raw) => {
    const items = (Array.isArray(raw) ? raw.map(String) : String(raw).split(',')).map((item) => item.trim()).filter(Boolean);
    // Unset, not empty, gives the default.
    return items.length > 0 ? { value: items } : { problem: 'lists nothing: leave it unset for the default' };
  },
  json: (raw) => {
    if (typeof raw !== 'string') return { value: raw };
    try {
      return { value: JSON.parse(raw) };
    } catch (error) {
      return { problem: `must be JSON (${(error as Error).message}), got ${raw}` };
    }
  },
  flag: (raw) => {
    if (typeof raw === 'boolean') return { value: raw };
    const text = typeof raw === 'string' ? raw.trim() : undefined;
    return text === 'true' || text === 'false' ? { value: text === 'true' } : refused('must be true or false', raw);
  },
};

function parseValue(setting: SettingDefinition, raw: unknown): Parsed {
  const parsed = PARSERS[setting.kind](raw);
  if (parsed.problem === undefined && setting.oneOf && !setting.oneOf.includes(parsed.value as string)) {
    return refused(`must be one of ${setting.oneOf.join(', ')}`, parsed.value);
  }
  return parsed;
}

function refused(rule: string, raw: unknown): Parsed {
  return { problem: `${rule}, got ${JSON.stringify(raw)}` };
}

function ruleProblems(setting: SettingDefinition, value: unknown, context: CheckContext): string[] {
  const each = setting.checkEach ? (value as readonly string[]).map(setting.checkEach) : [];
  const check = setting.check as ((value: unknown, context: CheckContext) => Problems) | undefined;
  const whole = check?.(value, context);
  return [...each, ...(Array.isArray(whole) ? whole : [whole])].filter((problem): problem is string => problem !== undefined);
}
