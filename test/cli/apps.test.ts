import { randomBytes } from 'node:crypto';
import { runApps } from '../../cli/run-apps';
import { CLIENT_ID_FORMAT } from '../../lambdas/domain/application-rules';
import { sha256 } from '../../lambdas/shared/crypto';
import { cliEnvironmentFor, startIntegration, type Integration } from '../support/integration';
import type { LocalStore } from '../support/local-store';
import { runCli } from '../support/cli-run';

// One store for the whole file: the applications repository fixes its table when first used.
let integration: Integration;
let store: LocalStore;
let localEnv: Record<string, string>;

beforeAll(async () => {
  integration = await startIntegration();
  store = integration.store;
  localEnv = await cliEnvironmentFor(integration);
});

afterAll(() => integration?.guichet.close());

const apps = (...argv: string[]) => runCli(runApps, argv, localEnv);

interface Created {
  client_id: string;
  client_secret: string;
  name: string;
  active: boolean;
  scopes: string[];
  domains: string[];
}

async function create(...options: string[]): Promise<Created> {
  const run = await apps('create', '--json', ...options);
  expect(run.code).toBe(0);
  return run.json<Created>();
}

const stored = (clientId: string) => store.get('applications', clientId);

/** An application as stored before delegation was closed by default: no delegationModel. */
async function legacyApplication(name: string, domains: string[]): Promise<string> {
  const id = `app_${randomBytes(16).toString('base64url')}`;
  await store.put('applications', { id, name, active: true, scopes: [], domains, secretHash: sha256(id), createdAt: 0, updatedAt: 0 });
  return id;
}

describe('create', () => {
  test('prints the client id and secret once, stores only the hash, with no scope by default', async () => {
    const created = await create('--name', 'Billing');

    expect(created).toMatchObject({ name: 'Billing', active: true, scopes: [], domains: [] });
    expect(created.client_id).toMatch(CLIENT_ID_FORMAT);
    expect(created.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const item = await stored(created.client_id);
    expect(item).toMatchObject({ id: created.client_id, name: 'Billing', active: true, secretHash: sha256(created.client_secret) });
    expect(JSON.stringify(item)).not.toContain(created.client_secret);
  });

  test('without --domains, the application may act for no user', async () => {
    const created = await create('--name', 'Undelegated');
    expect(created.domains).toEqual([]);
    expect(await stored(created.client_id)).toMatchObject({ domains: [], delegationModel: 2 });
    expect((await apps('show', created.client_id)).stdout).toMatch(/^  delegation +none$/m);
  });

  test("--domains '*' lets it act for users of any domain, explicitly", async () => {
    const created = await create('--name', 'Anywhere', '--domains', '*');
    expect(created.domains).toEqual(['*']);
    expect(await stored(created.client_id)).toMatchObject({ domains: ['*'], delegationModel: 2 });
    expect((await apps('show', created.client_id)).stdout).toMatch(/^  delegation +any domain \(\*\)$/m);
  });

  test('takes scopes and domains, domains lower-cased, both deduplicated', async () => {
    const created = await create('--name', 'Reports', '--scopes', 'read,write,read', '--domains', 'Example.COM,example.com,b.org');
    expect(created).toMatchObject({ scopes: ['read', 'write'], domains: ['example.com', 'b.org'] });
    expect(await stored(created.client_id)).toMatchObject({ scopes: ['read', 'write'], domains: ['example.com', 'b.org'] });
  });

  test('tells a person the secret is shown only once', async () => {
    const run = await apps('create', '--name', 'Human');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/client_id +app_/);
    expect(run.stdout).toMatch(/client_secret +[A-Za-z0-9_-]{43}/);
    expect(run.stdout).toContain('shown only this once');
  });

  test.each([
    [['create'], /needs --name/],
    [['create', '--name', '  '], /needs --name/],
    [['create', '--name', 'X', '--scopes', 'read,"quoted"'], /invalid scope/],
    [['create', '--name', 'X', '--domains', 'example'], /invalid domain "example"/],
    [['create', '--name', 'X', '--domains', 'under_score.com'], /invalid domain/],
    [['create', '--name', 'X', '--domains', '*,example.com'], /'\*' allows any domain: give it alone/],
    [['create', '--name', 'X', '--domains', '*.example.com'], /invalid domain "\*\.example\.com"/],
    [['create', '--name', 'X', '--clear'], /create does not take --clear/],
    [['create', '--name'], /argument missing/],
  ])('refuses %j with a usage error', async (argv, message) => {
    const before = (await store.all('applications')).length;
    const run = await apps(...argv);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
    expect(await store.all('applications')).toHaveLength(before);
  });
});

describe('list and show', () => {
  test('list shows every application, never a hash', async () => {
    const a = await create('--name', 'Listed A', '--scopes', 'read');
    const b = await create('--name', 'Listed B');

    const run = await apps('list', '--json');
    expect(run.code).toBe(0);
    const listed = run.json<Array<Record<string, unknown>>>();
    expect(listed.map((app) => app.client_id)).toEqual(expect.arrayContaining([a.client_id, b.client_id]));
    expect(run.stdout).not.toMatch(/secret|hash/i);

    const human = await apps('list');
    expect(human.stdout.split('\n')[0]).toMatch(/^CLIENT ID +STATUS +NAME +SCOPES +DELEGATION$/);
    expect(human.stdout).toMatch(new RegExp(`${a.client_id} +active +Listed A +read +none`));
  });

  test('show gives one application without its hash', async () => {
    const created = await create('--name', 'Shown', '--scopes', 'read', '--domains', 'example.com');
    const run = await apps('show', created.client_id, '--json');
    expect(run.code).toBe(0);
    expect(run.json()).toEqual({
      client_id: created.client_id,
      name: 'Shown',
      active: true,
      scopes: ['read'],
      domains: ['example.com'],
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(run.stdout).not.toContain(sha256(created.client_secret));

    const human = await apps('show', created.client_id);
    expect(human.stdout).toMatch(/status +active/);
    expect(human.stdout).toMatch(/^  delegation +example\.com$/m);
  });
});

describe('grant and revoke', () => {
  test('add and remove scopes, keeping the others', async () => {
    const { client_id: id } = await create('--name', 'Scoped', '--scopes', 'read');

    const granted = await apps('grant', id, 'write,admin,read', '--json');
    expect(granted.code).toBe(0);
    expect(granted.json().scopes).toEqual(['read', 'write', 'admin']);

    const revoked = await apps('revoke', id, 'admin,never-granted');
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toContain(`Scopes of ${id}: read, write`);
    expect((await stored(id))?.scopes).toEqual(['read', 'write']);
  });

  test('refuse a bad scope without touching the application', async () => {
    const { client_id: id } = await create('--name', 'Strict', '--scopes', 'read');
    const run = await apps('grant', id, 'back\\slash');
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid scope.*RFC 6749/);
    expect((await stored(id))?.scopes).toEqual(['read']);
    expect((await apps('revoke', id, ',')).stderr).toMatch(/at least one scope/);
  });
});

describe('domains', () => {
  test("replaces the allowed domains, '*' allows any, and --clear ends all delegation", async () => {
    const { client_id: id } = await create('--name', 'Delegating', '--domains', 'old.org');

    const set = await apps('domains', id, 'A.example.com,b.org', '--json');
    expect(set.json().domains).toEqual(['a.example.com', 'b.org']);

    const any = await apps('domains', id, '*');
    expect(any.stdout).toContain(`Delegation of ${id}: any domain (*)`);
    expect((await stored(id))?.domains).toEqual(['*']);

    const cleared = await apps('domains', id, '--clear');
    expect(cleared.stdout).toContain(`Delegation of ${id}: none`);
    expect((await stored(id))?.domains).toEqual([]);
  });

  test('marks a record it changes as written under the current rule', async () => {
    const legacy = await legacyApplication('Marked by domains', []);
    await apps('domains', legacy, 'example.com');
    expect(await stored(legacy)).toMatchObject({ domains: ['example.com'], delegationModel: 2 });
  });

  test('--help says that --clear means no delegation', async () => {
    expect((await apps('--help')).stdout).toMatch(/^  domains <client_id> \[<d1,d2>\|'\*'\] \[--clear\] +.*--clear: no delegation$/m);
  });

  test.each([
    [['x.org', '--clear'], /either the allowed domains .* or --clear for no delegation/],
    [['example.com,*'], /'\*' allows any domain: give it alone/],
    [['*', '--clear'], /either the allowed domains .* or --clear/],
    [[], /either the allowed domains .* or --clear/],
    [['bad-.org'], /invalid domain/],
    [['bad..org'], /invalid domain/],
  ])('refuses %j', async (args, message) => {
    const { client_id: id } = await create('--name', 'Untouched', '--domains', 'keep.org');
    const run = await apps('domains', id, ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect((await stored(id))?.domains).toEqual(['keep.org']);
  });
});

describe('rotate-secret', () => {
  test('prints a new secret once and replaces the hash: the old secret no longer matches', async () => {
    const created = await create('--name', 'Rotated');
    const oldHash = (await stored(created.client_id))?.secretHash;

    const run = await apps('rotate-secret', created.client_id, '--json');
    expect(run.code).toBe(0);
    const { client_id: clientId, client_secret: newSecret } = run.json<Created>();
    expect(clientId).toBe(created.client_id);
    expect(newSecret).not.toBe(created.client_secret);

    const newHash = (await stored(created.client_id))?.secretHash;
    expect(newHash).not.toBe(oldHash);
    expect(newHash).toBe(sha256(newSecret));
    expect(newHash).not.toBe(sha256(created.client_secret));
  });
});

describe('disable, enable and delete', () => {
  test('disable and enable flip the active flag', async () => {
    const { client_id: id } = await create('--name', 'Toggled');

    const disabled = await apps('disable', id);
    expect(disabled).toMatchObject({ code: 0, stdout: `Disabled ${id}.\n` });
    expect((await stored(id))?.active).toBe(false);

    const enabled = await apps('enable', id, '--json');
    expect(enabled.json().active).toBe(true);
    expect((await stored(id))?.active).toBe(true);
  });

  test('delete removes the application; a second delete finds nothing', async () => {
    const { client_id: id } = await create('--name', 'Deleted');
    const run = await apps('delete', id, '--json');
    expect(run.json()).toEqual({ client_id: id, deleted: true });
    expect(await stored(id)).toBeUndefined();

    const again = await apps('delete', id);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(`apps: no application with client id ${id}\n`);
  });
});

describe('migrate-delegation', () => {
  interface Migration {
    reviewed: number;
    formerly_any_domain: Array<{ client_id: string; domains: string[] }>;
  }

  const unmarked = async () => (await store.all('applications')).filter((record) => record.delegationModel === undefined);

  test('without --keep-any, marks every older application and reports those that allowed any domain, now none', async () => {
    const formerlyAny = await legacyApplication('Legacy open', []);
    const restricted = await legacyApplication('Legacy restricted', ['example.com']);
    const { client_id: current } = await create('--name', 'Current');
    const currentBefore = await stored(current);
    const legacyCount = (await unmarked()).length;

    const run = await apps('migrate-delegation', '--json');
    expect(run.code).toBe(0);
    const report = run.json<Migration>();
    expect(report.reviewed).toBe(legacyCount);
    expect(report.formerly_any_domain).toContainEqual(expect.objectContaining({ client_id: formerlyAny, domains: [] }));
    expect(report.formerly_any_domain.map((app) => app.client_id)).not.toContain(restricted);
    expect(run.stdout).not.toMatch(/secret|hash/i);

    expect(await stored(formerlyAny)).toMatchObject({ domains: [], delegationModel: 2 });
    expect(await stored(restricted)).toMatchObject({ domains: ['example.com'], delegationModel: 2 });
    expect(await stored(current)).toEqual(currentBefore);
    expect(await unmarked()).toEqual([]);

    const again = await apps('migrate-delegation', '--json');
    expect(again.json()).toEqual({ reviewed: 0, formerly_any_domain: [] });
  });

  test("with --keep-any, grants '*' to those that allowed any domain, and only to them", async () => {
    const formerlyAny = await legacyApplication('Legacy kept open', []);
    const restricted = await legacyApplication('Legacy kept restricted', ['example.org']);

    const run = await apps('migrate-delegation', '--keep-any');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^1 of them allowed any domain that way and still do, now explicitly \('\*'\):$/m);
    expect(run.stdout).toContain(`  ${formerlyAny}  Legacy kept open`);
    expect(run.stdout).not.toContain(restricted);

    expect(await stored(formerlyAny)).toMatchObject({ domains: ['*'], delegationModel: 2 });
    expect(await stored(restricted)).toMatchObject({ domains: ['example.org'], delegationModel: 2 });
    expect((await apps('show', formerlyAny)).stdout).toMatch(/^  delegation +any domain \(\*\)$/m);

    const again = await apps('migrate-delegation', '--keep-any');
    expect(again.stdout).toBe('Nothing to migrate: every application follows the current delegation rule.\n');
    expect((await stored(formerlyAny))?.domains).toEqual(['*']);
  });

  test('tells a person which applications lost delegation and how to grant it back', async () => {
    const formerlyAny = await legacyApplication('Legacy closed', []);
    const run = await apps('migrate-delegation');
    expect(run.stdout).toMatch(/^Reviewed 1 application written .*\n1 of them allowed any domain that way and now may act for no user:$/m);
    expect(run.stdout).toContain(`  ${formerlyAny}  Legacy closed`);
    expect(run.stdout).toContain("npm run apps -- domains <client_id> '*'");
  });

  test('says so when no older application allowed any domain', async () => {
    await legacyApplication('Legacy only restricted', ['example.net']);
    const run = await apps('migrate-delegation');
    expect(run.stdout).toMatch(/^Reviewed 1 application written .*\nNone of them allowed any domain: their delegation is unchanged\.\n$/);
  });

  test.each([
    [['migrate-delegation', 'extra'], /usage: npm run apps -- migrate-delegation \[--keep-any\]/],
    [['create', '--name', 'X', '--keep-any'], /create does not take --keep-any/],
  ])('%j is a usage error', async (argv, message) => {
    const run = await apps(...argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('errors', () => {
  const unknownId = 'app_AAAAAAAAAAAAAAAAAAAAAA';

  test.each([
    ['show'],
    ['grant', 'read'],
    ['revoke', 'read'],
    ['domains', 'example.com'],
    ['rotate-secret'],
    ['disable'],
    ['enable'],
    ['delete'],
  ])('%s of an unknown client id: exit 1, nothing created', async (command, ...rest) => {
    const run = await apps(command, unknownId, ...rest, '--json');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(JSON.parse(run.stderr)).toEqual({ error: 'not_found', message: `no application with client id ${unknownId}` });
    expect(await stored(unknownId)).toBeUndefined();
  });

  test.each([
    [[], /no command given/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['show'], /usage: npm run apps -- show <client_id>/],
    [['show', unknownId, 'extra'], /usage: npm run apps -- show <client_id>/],
    [['show', 'not-a-client-id'], /invalid client id "not-a-client-id"/],
    [['grant', unknownId], /usage: npm run apps -- grant <client_id> <scope\[,scope\]>/],
    [['list', '--name', 'x'], /list does not take --name/],
    [['list', '--frob'], /Unknown option '--frob'/],
    [['list', '--region', 'eu-west-1'], /--region only applies with --stack/],
  ])('%j is a usage error', async (argv, message) => {
    const run = await apps(...argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('npm run apps -- --help');
  });

  test('usage errors are JSON with --json', async () => {
    const run = await apps('frobnicate', '--json');
    expect(run.code).toBe(2);
    expect(JSON.parse(run.stderr)).toEqual({ error: 'usage', message: 'unknown command "frobnicate"' });
  });

  test('--help lists every command', async () => {
    const run = await apps('--help');
    expect(run.code).toBe(0);
    for (const command of ['create', 'list', 'show', 'grant', 'revoke', 'domains', 'rotate-secret', 'disable', 'enable', 'delete', 'migrate-delegation']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  test('says to start guichet when no local guichet runs in this environment, and guesses nothing', async () => {
    const run = await runCli(runApps, ['list'], { ...localEnv, PORT: '8799' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/no local guichet is running for .*local-8799\.json .*start it with `npm start` in the same environment, or target a deployed stack with --stack <name>/);
  });
});
