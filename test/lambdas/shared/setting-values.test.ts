import type { SettingTable } from '../../../lambdas/settings';
import { readSettings, settingsFromEnvironment, settingText, withDefaults } from '../../../lambdas/shared/setting-values';

/** One setting of each kind, with the rules the readers apply around them. */
const TABLE = {
  name: { kind: 'text', envVar: 'NAME', required: true },
  mode: { kind: 'text', envVar: 'MODE', oneOf: ['fast', 'slow'], default: 'slow' },
  ttl: {
    kind: 'count',
    envVar: 'TTL',
    default: 60,
    check: (seconds: number) => (seconds > 100 ? `must be at most 100, got ${seconds}` : undefined),
  },
  share: { kind: 'number', envVar: 'SHARE' },
  port: { kind: 'port', envVar: 'PORT' },
  origins: {
    kind: 'list',
    envVar: 'ORIGINS',
    derive: (publicUrl: string) => [new URL(publicUrl).origin],
    checkEach: (origin: string) => (origin.startsWith('https://') ? undefined : `"${origin}" is not https`),
    normalize: (origins: readonly string[]) => origins.map((origin) => origin.toLowerCase()),
  },
  map: {
    kind: 'json',
    envVar: 'MAP',
    default: {},
    check: (value: unknown) => (typeof value === 'object' ? undefined : 'must be an object'),
  },
  on: { kind: 'flag', envVar: 'ON', default: false },
} as const satisfies SettingTable;

const byKey = { nameOf: (key: string) => key };
const read = (given: Record<string, unknown>) => readSettings(TABLE, (key) => given[key], byKey);

describe('readSettings', () => {
  test('reads each kind from text, as a variable or `-c` gives it', () => {
    const origins = 'https://A.example, https://b.example';
    expect(read({ name: ' n ', mode: 'fast', ttl: ' 30 ', share: '2.5', port: '0', origins })).toEqual({
      values: { name: 'n', mode: 'fast', ttl: 30, share: 2.5, port: 0, origins: ['https://a.example', 'https://b.example'] },
      missing: [],
      problems: [],
    });
  });

  test('reads JSON and flags from text', () => {
    expect(read({ name: 'n', map: '{"a":1}', on: 'true' }).values).toEqual({ name: 'n', map: { a: 1 }, on: true });
  });

  test('reads each kind from a JSON value, as cdk.json or the props give it', () => {
    expect(read({ name: 'n', ttl: 30, share: 2.5, port: 8080, origins: ['https://a.example'], map: { a: 1 }, on: false }).values).toEqual({
      name: 'n',
      ttl: 30,
      share: 2.5,
      port: 8080,
      origins: ['https://a.example'],
      map: { a: 1 },
      on: false,
    });
  });

  test('counts blank text and null as unset, and names each required setting left unset', () => {
    expect(read({ name: '  ', ttl: null, origins: '' })).toEqual({ values: {}, missing: ['name'], problems: [] });
  });

  test.each([
    [{ mode: 'quick' }, 'mode must be one of fast, slow, got "quick"'],
    [{ ttl: '0' }, 'ttl must be a positive whole number, got "0"'],
    [{ ttl: 1.5 }, 'ttl must be a positive whole number, got 1.5'],
    [{ ttl: '1e3' }, 'ttl must be a positive whole number, got "1e3"'],
    [{ share: 'half' }, 'share must be a number, got "half"'],
    [{ port: '65536' }, 'port must be a port number (0 picks a free one), got "65536"'],
    [{ origins: ' , ' }, 'origins lists nothing: leave it unset for the default'],
    [{ map: '{a:1}' }, /^map must be JSON \(.+\), got \{a:1\}$/],
    [{ on: 'yes' }, 'on must be true or false, got "yes"'],
    [{ name: 42 }, 'name must be text, got 42'],
  ])('refuses %j by its kind, naming the setting and the value', (given, problem) => {
    expect(read({ name: 'n', ...given }).problems).toEqual([problem instanceof RegExp ? expect.stringMatching(problem) : problem]);
  });

  test("applies the rules, a list's to each item and after a colon, before normalizing", () => {
    expect(read({ name: 'n', ttl: '101', origins: 'https://A.example,http://b.example', map: '3' }).problems).toEqual([
      'ttl must be at most 100, got 101',
      'origins: "http://b.example" is not https',
      'map: must be an object',
    ]);
  });

  test('lists the problems in the order of the table, whatever step found them', () => {
    expect(read({ mode: 'x', ttl: '101', share: 'x' }).problems).toEqual([
      'mode must be one of fast, slow, got "x"',
      'ttl must be at most 100, got 101',
      'share must be a number, got "x"',
    ]);
  });

  test('gives the rules the other settings and the context, and names each setting as the reader says', () => {
    const table = {
      a: { kind: 'text', envVar: 'A' },
      b: { kind: 'text', envVar: 'B', check: (_: string, { settings, routeIds }) => `sees ${settings.a} and ${routeIds?.join()}` },
    } as const satisfies SettingTable;
    const reading = readSettings(table, (key) => key, { nameOf: (_, setting) => setting.envVar!, context: { routeIds: ['R'] } });
    expect(reading.problems).toEqual(['B sees a and R']);
  });
});

describe('settingsFromEnvironment', () => {
  test('reads the variables, applies the defaults, derives from the public URL, and says what is missing', () => {
    const { values, problems } = settingsFromEnvironment(TABLE, { TTL: '30' }, () => 'https://auth.example.com/base');
    expect(problems).toEqual(['NAME is required']);
    expect(values).toEqual({ mode: 'slow', ttl: 30, origins: ['https://auth.example.com'], map: {}, on: false });
  });
});

test('withDefaults keeps the values given and derives nothing without a public URL', () => {
  expect(withDefaults(TABLE, { ttl: 5 })).toEqual({ mode: 'slow', ttl: 5, map: {}, on: false });
});

test('settingText writes a value as its variable does', () => {
  expect([settingText('list', ['a', 'b']), settingText('json', { a: [1] }), settingText('flag', true), settingText('count', 3)]).toEqual([
    'a,b',
    '{"a":[1]}',
    'true',
    '3',
  ]);
});
