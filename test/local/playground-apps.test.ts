import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createLocalJWKSet, type JWK, jwtVerify } from 'jose';
import { Playground } from '../../local/playground/playground';

/**
 * The playground's demo application is made once: `POST /playground/apps` looks for it with the operator CLI
 * (`list --json`) and rotates its secret when it exists, instead of adding another application on every click.
 */
interface Application {
  client_id: string;
  name: string;
  created_at: string;
}

let server: Server;
let url: string;
let applications: Application[];
/** A command that fails, as the CLI does when the store cannot be reached. */
let failing: string | undefined;
const runs: string[][] = [];
/** The JWK Sets registered with --jwks-file, by client id, as the CLI read them. */
const registered = new Map<string, { keys: JWK[] }>();

/** A fake `npm run apps` over an in-memory list, as slow as a real run, so that concurrent clicks overlap. */
async function runApps(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  runs.push([...args]);
  await new Promise((resolve) => setTimeout(resolve, 20));
  const [command, id] = args;
  if (command === failing) return { code: 1, stdout: '', stderr: 'cannot reach the local store' };
  if (command === 'list') return { code: 0, stdout: JSON.stringify(applications), stderr: '' };
  if (command === 'create') {
    const application = {
      client_id: `app_${applications.length}`,
      name: args[args.indexOf('--name') + 1],
      created_at: new Date().toISOString(),
    };
    applications.push(application);
    if (args.includes('--jwks-file')) {
      registered.set(application.client_id, JSON.parse(readFileSync(args[args.indexOf('--jwks-file') + 1], 'utf8')));
      return { code: 0, stdout: JSON.stringify({ ...application, credentials: 'keys' }), stderr: '' };
    }
    return { code: 0, stdout: JSON.stringify({ ...application, client_secret: 'new' }), stderr: '' };
  }
  if (command === 'set-jwks') {
    const application = applications.find(({ client_id: clientId }) => clientId === id);
    if (!application) return { code: 3, stdout: '', stderr: `no application with client id ${id}` };
    registered.set(id, JSON.parse(readFileSync(args[args.indexOf('--jwks-file') + 1], 'utf8')));
    return { code: 0, stdout: JSON.stringify({ ...application, credentials: 'keys' }), stderr: '' };
  }
  if (command === 'rotate-secret') {
    const application = applications.find(({ client_id: clientId }) => clientId === id);
    if (!application) return { code: 3, stdout: '', stderr: `no application with client id ${id}` };
    return { code: 0, stdout: JSON.stringify({ ...application, client_secret: 'rotated' }), stderr: '' };
  }
  return { code: 2, stdout: '', stderr: 'unknown command' };
}

beforeAll(async () => {
  server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const playground = new Playground({
    publicUrl: url,
    issuer: 'http://127.0.0.1:1',
    appOrigin: 'http://127.0.0.1:2',
    nativeAppScheme: 'visio',
    runApps,
  });
  server.on('request', (req, res) => playground.serve(req, res) || res.writeHead(404).end());
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  applications = [{ client_id: 'app_other', name: 'Calendar', created_at: '2026-01-01T00:00:00.000Z' }];
  runs.length = 0;
  failing = undefined;
});

const post = async (path: string) => {
  const response = await fetch(`${url}${path}`, { method: 'POST', headers: { origin: url } });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
};
const click = () => post('/playground/apps');

describe('the playground demo application', () => {
  it('is created when there is none, then found and given a new secret', async () => {
    const first = await click();
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      action: 'created',
      command: 'npm run apps -- create --name "Playground demo" --scopes demo:read --json',
    });
    expect(first.body.output).toMatchObject({ client_id: 'app_1', client_secret: 'new' });

    const second = await click();
    expect(second.status).toBe(200);
    expect(second.body).toMatchObject({
      action: 'rotated',
      found_with: 'npm run apps -- list --json',
      command: 'npm run apps -- rotate-secret app_1 --json',
      output: { client_id: 'app_1', client_secret: 'rotated' },
      older_duplicates: [],
    });
    expect(applications.map(({ name }) => name)).toEqual(['Calendar', 'Playground demo']);
    expect(runs).toEqual([
      ['list', '--json'],
      ['create', '--name', 'Playground demo', '--scopes', 'demo:read', '--json'],
      ['list', '--json'],
      ['rotate-secret', 'app_1', '--json'],
    ]);
  });

  it('is made once when clicked twice at the same time', async () => {
    const answers = await Promise.all([click(), click()]);
    expect(answers.map(({ body }) => body.action).sort()).toEqual(['created', 'rotated']);
    expect(applications.filter(({ name }) => name === 'Playground demo')).toHaveLength(1);
  });

  it('rotates the newest of the duplicates an earlier playground made, and names the others', async () => {
    applications.push(
      { client_id: 'app_old', name: 'Playground demo', created_at: '2026-02-01T00:00:00.000Z' },
      { client_id: 'app_new', name: 'Playground demo', created_at: '2026-03-01T00:00:00.000Z' },
    );
    const { status, body } = await click();
    expect(status).toBe(200);
    expect(body).toMatchObject({
      action: 'rotated',
      command: 'npm run apps -- rotate-secret app_new --json',
      older_duplicates: ['app_old'],
    });
  });

  it('says what the CLI said when it fails', async () => {
    failing = 'list';
    const answer = await click();
    expect(answer.status).toBe(500);
    expect(answer.body).toEqual({ error: 'server_error', error_description: 'npm run apps failed: cannot reach the local store' });
    expect(runs).toEqual([['list', '--json']]);
  });

  it('with keys: registers a public key from a file, signs assertions with the private key it keeps, and rekeys it later', async () => {
    const first = await post('/playground/apps?credentials=keys');
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ action: 'created', output: { client_id: 'app_1', credentials: 'keys' } });
    expect(first.body.command).toMatch(/^npm run apps -- create --name "Playground demo \(keys\)" --scopes demo:read --jwks-file \S+/);
    const jwks = registered.get('app_1')!;
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty('d');

    const signed = await post('/playground/apps/assertion?client_id=app_1');
    expect(signed.status).toBe(200);
    const expected = { audience: url, issuer: 'app_1', subject: 'app_1' };
    const { payload, protectedHeader } = await jwtVerify(signed.body.client_assertion as string, createLocalJWKSet(jwks), expected);
    expect(protectedHeader).toMatchObject({ alg: 'ES256', kid: jwks.keys[0].kid });
    expect(payload.exp! - payload.iat!).toBe(60);
    expect(signed.body.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');

    const second = await post('/playground/apps?credentials=keys');
    expect(second).toMatchObject({ status: 200, body: { action: 'rekeyed', older_duplicates: [] } });
    expect(runs.at(-1)).toEqual(['set-jwks', 'app_1', '--jwks-file', expect.stringMatching(/\.json$/), '--json']);
    const rekeyed = (await post('/playground/apps/assertion?client_id=app_1')).body.client_assertion as string;
    await expect(jwtVerify(rekeyed, createLocalJWKSet(registered.get('app_1')!))).resolves.toBeDefined();
    await expect(jwtVerify(rekeyed, createLocalJWKSet(jwks))).rejects.toThrow();
    // The secret demo application is another one.
    expect((await click()).body).toMatchObject({ action: 'created', output: { client_id: 'app_2' } });
  });

  it('signs for its own demo application only', async () => {
    expect(await post('/playground/apps/assertion?client_id=app_other')).toMatchObject({ status: 404, body: { error: 'not_found' } });
  });
});
