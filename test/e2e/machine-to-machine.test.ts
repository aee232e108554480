import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { runApps } from '../../cli/run-apps';
import { runKeys } from '../../cli/run-keys';
import type { LocalGuichet } from '../../local/start';
import { ageSigningKeys, cliEnvironment, startTestGuichet } from '../support/local-guichet';
import { runCli } from '../support/cli-run';

let guichet: LocalGuichet;

beforeAll(async () => {
  // Short key caches, so that a rotation is seen within the test rather than after five minutes.
  guichet = await startTestGuichet({ SIGNING_KEYS_CACHE_SECONDS: '1' });
});
afterAll(() => guichet?.close());

const apps = (...argv: string[]) => runCli(runApps, argv, cliEnvironment(guichet));
const publishedKids = async () =>
  ((await (await fetch(`${guichet.publicUrl}/.well-known/jwks.json`)).json()) as { keys: { kid: string }[] }).keys.map((key) => key.kid);

async function token(clientId: string, clientSecret: string, form: Record<string, string> = {}) {
  const response = await fetch(`${guichet.publicUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ grant_type: 'client_credentials', ...form }).toString(),
  });
  return { status: response.status, body: await response.json() };
}

const me = (accessToken: string) =>
  fetch(`${guichet.publicUrl}/external-api/v1.0/me`, { headers: { authorization: `Bearer ${accessToken}` } });

describe('machine-to-machine application', () => {
  it('is created with the CLI, gets a verifiable token, calls the API, and survives a key rotation', async () => {
    const created = await apps('create', '--name', 'Calendar', '--domains', 'example.com', '--json');
    expect(created.code).toBe(0);
    const { client_id: clientId, client_secret: clientSecret } = created.json<{ client_id: string; client_secret: string }>();

    expect((await token(clientId, clientSecret)).body.error).toBe('invalid_scope');
    expect((await apps('grant', clientId, 'calendar:read,calendar:write')).code).toBe(0);

    const issued = await token(clientId, clientSecret, { scope: 'calendar:read', subject: 'ada@example.com' });
    expect(issued.status).toBe(200);
    const jwks = createRemoteJWKSet(new URL(`${guichet.publicUrl}/.well-known/jwks.json`));
    const verifyOptions = { issuer: guichet.publicUrl, audience: `${guichet.publicUrl}/external-api`, typ: 'at+jwt' };
    const { payload } = await jwtVerify(issued.body.access_token, jwks, verifyOptions);
    expect(payload).toMatchObject({ sub: 'ada@example.com', email: 'ada@example.com', client_id: clientId, scope: 'calendar:read' });

    const answer = await me(issued.body.access_token);
    expect(answer.status).toBe(200);
    expect(await answer.json()).toEqual({ sub: 'ada@example.com', client_id: clientId, scope: 'calendar:read', email: 'ada@example.com' });
    expect((await token(clientId, clientSecret, { subject: 'ada@evil-example.com' })).status).toBe(403);

    const oldKid = decodeProtectedHeader(issued.body.access_token).kid;
    const publishedBefore = await publishedKids();
    expect(publishedBefore).toContain(oldKid);
    const nextKid = publishedBefore.at(-1);
    expect(nextKid).not.toBe(oldKid);
    // As if the next key had been published for the key cache plus the longest token lifetime: it may now sign.
    await ageSigningKeys(guichet, 1 + 3600);
    const rotation = await runCli(runKeys, ['rotate', '--json'], cliEnvironment(guichet));
    expect(rotation.code).toBe(0);
    expect(rotation.json()).toMatchObject({ target: 'local', secret_arn: guichet.outputs.SigningKeysArn });
    await new Promise((resolve) => setTimeout(resolve, 1100));

    // The key that starts signing was published a whole rotation before.
    const afterRotation = await token(clientId, clientSecret);
    expect(decodeProtectedHeader(afterRotation.body.access_token).kid).toBe(nextKid);
    expect(await publishedKids()).toEqual(expect.arrayContaining([oldKid, nextKid]));
    const freshJwks = createRemoteJWKSet(new URL(`${guichet.publicUrl}/.well-known/jwks.json`));
    await expect(jwtVerify(issued.body.access_token, freshJwks, verifyOptions)).resolves.toBeDefined();
    await expect(jwtVerify(afterRotation.body.access_token, freshJwks, verifyOptions)).resolves.toBeDefined();
    expect((await me(issued.body.access_token)).status).toBe(200);
    expect((await me(afterRotation.body.access_token)).status).toBe(200);

    expect((await apps('disable', clientId)).code).toBe(0);
    expect((await token(clientId, clientSecret)).status).toBe(401);
  });
});
