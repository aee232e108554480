import { PutSecretValueCommand, RotateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { runApps } from '../../cli/run-apps';
import { runKeys } from '../../cli/run-keys';
import type { LocalGuichet } from '../../local/start';
import { runCli } from '../support/cli-run';
import { ageSigningKeys, cliEnvironment, startTestGuichet } from '../support/local-guichet';

/**
 * The signing keys as they live on AWS: the deploy makes the first key set (a custom resource answered by the
 * rotation function, before the API serves) and the immediate rotation publishes the next key. If the secret
 * ever holds no key set (a fresh secret's placeholder), the routes that sign or publish keys answer 503
 * temporarily_unavailable with Retry-After, never a bare 500, until a rotation has made one.
 */
let guichet: LocalGuichet;

beforeAll(async () => {
  guichet = await startTestGuichet({ SIGNING_KEYS_CACHE_SECONDS: '1' });
});
afterAll(() => guichet?.close());

const jwks = () => fetch(`${guichet.publicUrl}/.well-known/jwks.json`);
const publishedKids = async () => ((await (await jwks()).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const operator = () =>
  new SecretsManagerClient({
    endpoint: guichet.secretsManagerEndpoint,
    region: 'eu-west-1',
    credentials: { accessKeyId: 'operator', secretAccessKey: 'operator' },
  });

describe('the signing keys', () => {
  it('exist as soon as the API serves: the current key and the next one, published', async () => {
    const response = await jwks();
    expect(response.status).toBe(200);
    expect(((await response.json()) as { keys: unknown[] }).keys.length).toBeGreaterThanOrEqual(2);
  });

  it('rotate only once the next key may sign: the CLI refuses before, the schedule postpones without failing', async () => {
    // Right after the deploy (here, the start): its own rotation on deploy was postponed already.
    const deployed = await publishedKids();
    expect(deployed).toHaveLength(2);
    const refused = await runCli(runKeys, ['rotate'], cliEnvironment(guichet));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^keys: too early, nothing rotated: the next signing key was published at \S+ and may sign from \S+ /);
    expect(refused.stderr).toMatch(/\(in \d+ min\): a key signs only once every verifier's cached JWKS holds it/);

    // The schedule asks Secrets Manager itself: the rotation completes, and no key changes.
    await operator().send(new RotateSecretCommand({ SecretId: guichet.outputs.SigningKeysArn }));
    await pause(1100);
    expect(await publishedKids()).toEqual(deployed);

    await ageSigningKeys(guichet, 1 + 3600);
    expect((await runCli(runKeys, ['rotate'], cliEnvironment(guichet))).code).toBe(0);
    await pause(1100);
    const rotated = await publishedKids();
    expect(rotated.slice(0, 2)).toEqual(deployed);
    expect(rotated).toHaveLength(3);
    // And the one right after it is refused again.
    expect((await runCli(runKeys, ['rotate'], cliEnvironment(guichet))).code).toBe(1);
  });

  it('answer 503 with Retry-After while the secret holds no key set, then come back after a rotation', async () => {
    const secretsManager = operator();
    await secretsManager.send(
      new PutSecretValueCommand({ SecretId: guichet.outputs.SigningKeysArn, SecretString: 'a placeholder, no key set' }),
    );
    await pause(1100);

    const unavailable = await jwks();
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('retry-after')).toBe('5');
    expect(await unavailable.json()).toEqual({ error: 'temporarily_unavailable', error_description: 'the signing keys are not ready yet' });
    const created = await runCli(runApps, ['create', '--name', 'Keys', '--scopes', 'read', '--json'], cliEnvironment(guichet));
    const { client_id: clientId, client_secret: clientSecret } = created.json<{ client_id: string; client_secret: string }>();
    const token = await fetch(`${guichet.publicUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    });
    expect(token.status).toBe(503);
    expect(token.headers.get('retry-after')).toBe('5');

    expect((await runCli(runKeys, ['rotate'], cliEnvironment(guichet))).code).toBe(0);
    await pause(1100);
    expect((await jwks()).status).toBe(200);
  });
});
