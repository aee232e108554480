import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { runApps } from '../../cli/run-apps';
import { CLIENT_ID_FORMAT } from '../../lambdas/domain/application-rules';
import { sha256 } from '../../lambdas/shared/crypto';
import * as time from '../../lambdas/shared/time';
import { runCli } from '../support/cli-run';
import { cliEnvironmentFor, type Integration, startIntegration } from '../support/integration';
import type { LocalStore } from '../support/local-store';

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
    expect(run.stdout).not.toMatch(/hash|client_secret/i);

    const human = await apps('list');
    expect(human.stdout.split('\n')[0]).toMatch(/^CLIENT ID +STATUS +NAME +SCOPES +DELEGATION +CREDENTIALS$/);
    expect(human.stdout).toMatch(new RegExp(`${a.client_id} +active +Listed A +read +none +secret`));
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
      credentials: 'secret',
      secrets: [{ created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), expires_at: null }],
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

describe('rotate-secret and retire-secret', () => {
  interface Rotated extends Created {
    secrets: Array<{ created_at: string | null; expires_at: string | null }>;
  }
  const iso = (seconds: unknown) => new Date((seconds as number) * 1000).toISOString();
  const showJson = async (id: string) => (await apps('show', id, '--json')).json<Rotated>();

  test('prints a new secret once; the previous one stays valid for 24 h by default; only hashes are stored', async () => {
    const created = await create('--name', 'Rotated');
    const before = await stored(created.client_id);

    const run = await apps('rotate-secret', created.client_id, '--json');
    expect(run.code).toBe(0);
    const rotated = run.json<Rotated>();
    expect(rotated.client_id).toBe(created.client_id);
    expect(rotated.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(rotated.client_secret).not.toBe(created.client_secret);

    const item = (await stored(created.client_id))!;
    expect(item).toMatchObject({
      secretHash: sha256(rotated.client_secret),
      previousSecretHash: sha256(created.client_secret),
      previousSecretCreatedAt: before!.secretCreatedAt,
    });
    expect((item.previousSecretExpiresAt as number) - (item.secretCreatedAt as number)).toBe(24 * 3600);
    expect(JSON.stringify(item)).not.toContain(rotated.client_secret);
    expect(rotated.secrets).toEqual([
      { created_at: iso(item.secretCreatedAt), expires_at: null },
      { created_at: iso(before!.secretCreatedAt), expires_at: iso(item.previousSecretExpiresAt) },
    ]);

    const human = await apps('rotate-secret', created.client_id);
    expect(human.stdout).toContain('shown only this once');
    expect(human.stdout).toMatch(/The previous secret stays valid until \d{4}-\d\d-\d\dT.*; `npm run apps -- retire-secret app_[\w-]+`/);
  });

  test('--grace sets the grace period; a rotation during one ends the oldest secret: never more than two valid', async () => {
    const created = await create('--name', 'Rotated twice');
    const first = (await apps('rotate-secret', created.client_id, '--grace', '90m', '--json')).json<Rotated>();
    let item = (await stored(created.client_id))!;
    expect((item.previousSecretExpiresAt as number) - (item.secretCreatedAt as number)).toBe(90 * 60);

    const second = (await apps('rotate-secret', created.client_id, '--grace', '7d', '--json')).json<Rotated>();
    item = (await stored(created.client_id))!;
    expect(item).toMatchObject({ secretHash: sha256(second.client_secret), previousSecretHash: sha256(first.client_secret) });
    expect((item.previousSecretExpiresAt as number) - (item.secretCreatedAt as number)).toBe(7 * 86400);
    expect(JSON.stringify(item)).not.toContain(sha256(created.client_secret));
    expect(second.secrets).toHaveLength(2);
    expect((await apps('list')).stdout).toMatch(new RegExp(`${created.client_id} .* 2 secrets$`, 'm'));
  });

  test.each(['0m', '31d', '24', 'h', '1.5h', '-1h', '1w', '9999999d'])('refuses --grace=%s, the application untouched', async (grace) => {
    const created = await create('--name', 'Badly rotated');
    const before = await stored(created.client_id);
    const run = await apps('rotate-secret', created.client_id, `--grace=${grace}`);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/invalid grace period .* from 1m to 30d/);
    expect(await stored(created.client_id)).toEqual(before);
  });

  test('retire-secret ends the previous secret at once; a second one finds none to retire', async () => {
    const created = await create('--name', 'Retired');
    const rotated = (await apps('rotate-secret', created.client_id, '--json')).json<Rotated>();

    const retired = await apps('retire-secret', created.client_id, '--json');
    expect(retired.code).toBe(0);
    expect(retired.json()).toMatchObject({ client_id: created.client_id, retired: true, secrets: [{ expires_at: null }] });
    const item = (await stored(created.client_id))!;
    expect(item.secretHash).toBe(sha256(rotated.client_secret));
    expect(Object.keys(item).filter((name) => name.startsWith('previous'))).toEqual([]);

    const again = await apps('retire-secret', created.client_id);
    expect(again).toMatchObject({ code: 0, stdout: `${created.client_id} has no previous secret: nothing to retire.\n` });
  });

  test('show lists each valid secret, creation and expiry, never a hash; an expired previous one no more (a fake clock)', async () => {
    const created = await create('--name', 'Shown secrets');
    const rotated = (await apps('rotate-secret', created.client_id, '--grace', '1m', '--json')).json<Rotated>();
    const shown = await apps('show', created.client_id);
    expect(shown.stdout).toMatch(/^  credentials  2 secrets$/m);
    expect(shown.stdout).toMatch(/^  secret +created \d{4}-\d\d-\d\dT[\d:.]+Z, current$/m);
    expect(shown.stdout).toMatch(/^  secret +created \d{4}-\d\d-\d\dT[\d:.]+Z, previous, valid until \d{4}-\d\d-\d\dT[\d:.]+Z$/m);
    const item = (await stored(created.client_id))!;
    for (const text of [shown.stdout, JSON.stringify(await showJson(created.client_id))]) {
      for (const secret of [item.secretHash, item.previousSecretHash, rotated.client_secret, created.client_secret]) {
        expect(text).not.toContain(secret);
      }
    }

    jest.spyOn(time, 'nowSeconds').mockReturnValue((item.previousSecretExpiresAt as number) + 1);
    try {
      expect((await showJson(created.client_id)).secrets).toEqual([{ created_at: iso(item.secretCreatedAt), expires_at: null }]);
      expect((await apps('show', created.client_id)).stdout).toMatch(/^  credentials  secret$/m);
    } finally {
      jest.restoreAllMocks();
    }
  });

  test('an application stored before rotations kept a secret is rotated without a migration; its creation was not recorded', async () => {
    const legacy = await legacyApplication('Legacy rotated', []);
    expect((await showJson(legacy)).secrets).toEqual([{ created_at: null, expires_at: null }]);
    expect((await apps('show', legacy)).stdout).toMatch(/^  secret +created \(not recorded\), current$/m);

    const rotated = (await apps('rotate-secret', legacy, '--json')).json<Rotated>();
    expect(rotated.secrets).toEqual([
      { created_at: expect.stringMatching(/^\d{4}-/), expires_at: null },
      { created_at: null, expires_at: expect.stringMatching(/^\d{4}-/) },
    ]);
    expect(await stored(legacy)).toMatchObject({ previousSecretHash: sha256(legacy) });
  });

  test('two operators rotating at once: the second is told to run again, and no printed secret is lost', async () => {
    const created = await create('--name', 'Raced');
    const { findApplication } = await import('../../lambdas/repositories/applications');
    const stale = await findApplication(created.client_id);
    await apps('rotate-secret', created.client_id);
    const repository = await import('../../lambdas/repositories/applications');
    jest.spyOn(repository, 'findApplication').mockResolvedValueOnce(stale);
    try {
      const run = await apps('rotate-secret', created.client_id);
      expect(run.code).toBe(1);
      expect(run.stderr).toBe(`apps: the credentials of ${created.client_id} changed while this command ran: run it again\n`);
    } finally {
      jest.restoreAllMocks();
    }
  });
});

describe('keys (private_key_jwt)', () => {
  interface Shown extends Created {
    credentials: string;
    jwks_uri?: string;
    keys?: Array<{ kid: string | null; kty: string; alg: string | null }>;
  }
  let directory: string;
  const file = (name: string, content: unknown) => {
    const target = path.join(directory, name);
    writeFileSync(target, typeof content === 'string' ? content : JSON.stringify(content));
    return target;
  };
  let publicKeys: JWK[];
  let privateKey: JWK;

  beforeAll(async () => {
    directory = mkdtempSync(path.join(os.tmpdir(), 'guichet-jwks-'));
    const rsa = await generateKeyPair('RS256', { extractable: true });
    const ec = await generateKeyPair('ES256', { extractable: true });
    publicKeys = [
      { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256' },
    ];
    privateKey = { ...(await exportJWK(rsa.privateKey)), kid: 'rsa-1' };
  });

  test('create --jwks-file registers public keys and no secret; list and show say which credentials it has', async () => {
    const jwksFile = file('keys.json', { keys: publicKeys });
    const run = await apps('create', '--name', 'Keyed', '--scopes', 'read', '--jwks-file', jwksFile, '--json');
    expect(run.code).toBe(0);
    const created = run.json<Shown>();
    expect(created).not.toHaveProperty('client_secret');
    const keys = [
      { kid: 'rsa-1', kty: 'RSA', alg: 'RS256' },
      { kid: 'ec-1', kty: 'EC', alg: 'ES256' },
    ];
    expect(created).toMatchObject({ credentials: 'keys', keys });
    expect(created).not.toHaveProperty('secrets');
    const item = (await stored(created.client_id))!;
    expect(item.secretHash).toBeUndefined();
    expect(JSON.parse(item.jwks as string)).toEqual({ keys: publicKeys });

    const shown = await apps('show', created.client_id);
    expect(shown.stdout).toMatch(/^  credentials  2 keys \(private_key_jwt\)$/m);
    expect(shown.stdout).toMatch(/^  key +rsa-1  RSA RS256$/m);
    expect((await apps('list')).stdout).toMatch(new RegExp(`${created.client_id} .* 2 keys \\(private_key_jwt\\)$`, 'm'));
    expect((await apps('create', '--name', 'Keyed text', '--jwks-file', jwksFile)).stdout).not.toMatch(/secret/i);
  });

  test('create --jwks-uri registers where it publishes its keys; plain http only on loopback, for the local guichet', async () => {
    const published = await apps('create', '--name', 'Published', '--jwks-uri', 'https://keys.partner.example/jwks.json', '--json');
    const created = published.json<Shown>();
    expect(created).toMatchObject({ credentials: 'keys', jwks_uri: 'https://keys.partner.example/jwks.json' });
    expect(await stored(created.client_id)).toMatchObject({ jwksUri: 'https://keys.partner.example/jwks.json' });
    expect((await apps('show', created.client_id)).stdout).toMatch(/^  jwks_uri +https:\/\/keys\.partner\.example\/jwks\.json$/m);
    const local = await apps('create', '--name', 'Published locally', '--jwks-uri', 'http://127.0.0.1:9999/jwks.json');
    expect(local.code).toBe(0);
  });

  test('set-jwks replaces the keys; an application with secrets loses them, and is told so', async () => {
    const created = await create('--name', 'Moving to keys');
    await apps('rotate-secret', created.client_id);
    const run = await apps('set-jwks', created.client_id, '--jwks-file', file('one.json', { keys: [publicKeys[1]] }));
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`Keys of ${created.client_id}: 1 key (private_key_jwt)`);
    expect(run.stdout).toContain('Its secrets were removed: it now authenticates with private_key_jwt only.');
    const item = (await stored(created.client_id))!;
    expect(Object.keys(item).filter((name) => /secret/i.test(name))).toEqual([]);

    const uri = await apps('set-jwks', created.client_id, '--jwks-uri', 'https://keys.partner.example/moved.json', '--json');
    expect(uri.json()).toMatchObject({ credentials: 'keys', jwks_uri: 'https://keys.partner.example/moved.json' });
    expect(uri.json()).not.toHaveProperty('keys');
    expect(await stored(created.client_id)).not.toHaveProperty('jwks');
    expect(uri.stdout).not.toContain('secrets were removed');

    const rotation = await apps('rotate-secret', created.client_id);
    expect(rotation.code).toBe(1);
    expect(rotation.stderr).toMatch(/authenticates with keys \(private_key_jwt\): it has no secret; set-jwks changes its keys/);
  });

  test.each([
    [() => ['--jwks-uri', 'https://a.example/k', '--jwks-file', file('both.json', { keys: publicKeys })], /either --jwks-uri or/],
    [() => ['--jwks-file', file('private.json', { keys: [privateKey] })], /key "rsa-1" holds private or secret material: give public keys/],
    [() => ['--jwks-file', file('oct.json', { keys: [{ kty: 'oct', k: 'c2VjcmV0', kid: 'h' }] })], /key "h" holds private or secret/],
    [() => ['--jwks-file', file('hmac.json', { keys: [{ ...publicKeys[0], alg: 'HS256' }] })], /does not accept \(HS256\)/],
    [() => ['--jwks-file', file('enc.json', { keys: [{ ...publicKeys[0], use: 'enc' }] })], /is not a signing key/],
    [() => ['--jwks-file', file('nokid.json', { keys: publicKeys.map(({ kid: _, ...key }) => key) })], /each needs its own kid/],
    [() => ['--jwks-file', file('empty.json', { keys: [] })], /a JWK Set of 1 to 10 keys/],
    [() => ['--jwks-file', file('text.json', 'not json')], /is not JSON/],
    [() => ['--jwks-file', path.join(directory, 'absent.json')], /cannot read --jwks-file .*absent\.json/],
    [() => ['--jwks-file', file('bad.json', { keys: [{ kty: 'RSA', n: 'AQAB', e: 'AQAB', kid: 'g' }] })], /key "g" is (not a|shorter)/],
    [() => ['--jwks-uri', 'http://keys.partner.example/jwks.json'], /invalid --jwks-uri .*https/],
    [() => ['--jwks-uri', 'https://user:pw@keys.partner.example/jwks.json'], /no user info or fragment/],
    [() => ['--jwks-uri', 'ftp://keys.partner.example/jwks.json'], /invalid --jwks-uri/],
    [() => ['--jwks-uri', 'not a url'], /not an absolute URL/],
  ])('create refuses keys: %#', async (options, message) => {
    const before = (await store.all('applications')).length;
    const run = await apps('create', '--name', 'Refused keys', ...options());
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(await store.all('applications')).toHaveLength(before);
  });

  test('set-jwks needs the keys', async () => {
    const created = await create('--name', 'Keyless');
    const run = await apps('set-jwks', created.client_id);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/give the keys: --jwks-uri <https URL> or --jwks-file <path>/);
    const usage = /^  set-jwks <client_id> \[--jwks-uri <https URL> \| --jwks-file <path>\] +sets the public keys/m;
    expect((await apps('--help')).stdout).toMatch(usage);
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
    expect(run.stdout).not.toMatch(/hash|client_secret/i);

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
    ['retire-secret'],
    ['set-jwks', '--jwks-uri', 'https://keys.example.com/jwks.json'],
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
    const commands = ['create', 'list', 'show', 'grant', 'revoke', 'domains', 'rotate-secret', 'retire-secret', 'set-jwks'];
    for (const command of [...commands, 'disable', 'enable', 'delete', 'migrate-delegation']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
  });

  test('says to start guichet when no local guichet runs in this environment, and guesses nothing', async () => {
    const run = await runCli(runApps, ['list'], { ...localEnv, PORT: '8799' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /no local guichet is running for .*local-8799\.json .*start it with `npm start` in the same environment, or target a deployed stack with --stack <name>/,
    );
  });
});
