import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, decodeProtectedHeader, type JWK, jwtVerify } from 'jose';
import * as client from 'openid-client';
import { runApps } from '../../cli/run-apps';
import { runKeys } from '../../cli/run-keys';
import { accessTokenVerifier } from '../../lambdas/shared/access-token-verifier';
import type { LocalGuichet } from '../../local/start';
import { assertionKey } from '../support/applications';
import { runCli } from '../support/cli-run';
import { ageSigningKeys, cliEnvironment, startTestGuichet } from '../support/local-guichet';

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
    expect(payload).toMatchObject({
      sub: 'ada@example.com',
      email: 'ada@example.com',
      client_id: clientId,
      scope: 'calendar:read',
      act: { sub: clientId },
    });

    // A product API tells it from ada's own token by its actor, as guichet's verifier reads it.
    const verify = accessTokenVerifier({ issuer: guichet.publicUrl, audience: `${guichet.publicUrl}/external-api` });
    await expect(verify(`Bearer ${issued.body.access_token}`)).resolves.toMatchObject({ sub: 'ada@example.com', actor: clientId });

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

interface Credentials {
  client_id: string;
  client_secret: string;
}

describe('credentials without downtime or shared secrets', () => {
  it('rotate-secret keeps the previous secret valid until retire-secret ends it', async () => {
    const created = (await apps('create', '--name', 'Rolling', '--scopes', 'read', '--json')).json<Credentials>();
    const rotated = (await apps('rotate-secret', created.client_id, '--json')).json<{ client_secret: string }>();
    expect((await token(created.client_id, created.client_secret)).status).toBe(200);
    expect((await token(created.client_id, rotated.client_secret)).status).toBe(200);
    expect((await apps('retire-secret', created.client_id)).code).toBe(0);
    expect((await token(created.client_id, created.client_secret)).status).toBe(401);
    expect((await token(created.client_id, rotated.client_secret)).status).toBe(200);
  });

  describe('private_key_jwt with a standard client library (openid-client)', () => {
    let keyServer: Server;
    let published: JWK[] = [];

    beforeAll(async () => {
      keyServer = createServer((_, response) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: published })),
      );
      keyServer.listen(0, '127.0.0.1');
      await once(keyServer, 'listening');
    });
    afterAll(() => {
      keyServer?.closeAllConnections();
      keyServer?.close();
    });

    /** What a client of guichet does: discovery, then the client-credentials grant authenticated by PrivateKeyJwt. */
    async function tokenWithKey(clientId: string, key: Awaited<ReturnType<typeof assertionKey>>) {
      const authentication = client.PrivateKeyJwt({ key: key.privateKey, kid: key.kid });
      const configuration = await client.discovery(new URL(guichet.publicUrl), clientId, undefined, authentication, {
        execute: [client.allowInsecureRequests],
      });
      return client.clientCredentialsGrant(configuration, { scope: 'read' });
    }

    async function expectUsable(accessToken: string, clientId: string) {
      const jwks = createRemoteJWKSet(new URL(`${guichet.publicUrl}/.well-known/jwks.json`));
      const expected = { issuer: guichet.publicUrl, audience: `${guichet.publicUrl}/external-api`, typ: 'at+jwt' };
      const { payload } = await jwtVerify(accessToken, jwks, expected);
      expect(payload).toMatchObject({ sub: clientId, client_id: clientId, scope: 'read' });
      expect((await me(accessToken)).status).toBe(200);
    }

    it('gets a token with keys published at a jwks_uri, served on loopback (local mode)', async () => {
      const key = await assertionKey('ES256');
      published = [key.publicJwk];
      const jwksUri = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/jwks.json`;
      const created = await apps('create', '--name', 'Signed by a published key', '--scopes', 'read', '--jwks-uri', jwksUri, '--json');
      expect(created.json()).toMatchObject({ credentials: 'keys', jwks_uri: jwksUri });
      const clientId = created.json<{ client_id: string }>().client_id;

      const tokens = await tokenWithKey(clientId, key);
      await expectUsable(tokens.access_token, clientId);
      await expect(tokenWithKey(clientId, await assertionKey('ES256'))).rejects.toMatchObject({ error: 'invalid_client', status: 401 });
    });

    it('gets a token with keys registered from a jwks-file', async () => {
      const key = await assertionKey('RS256');
      const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'guichet-e2e-jwks-')), 'jwks.json');
      writeFileSync(file, JSON.stringify({ keys: [key.publicJwk] }));
      const created = await apps('create', '--name', 'Signed by a registered key', '--scopes', 'read', '--jwks-file', file, '--json');
      const clientId = created.json<{ client_id: string }>().client_id;

      const tokens = await tokenWithKey(clientId, key);
      await expectUsable(tokens.access_token, clientId);
      expect((await token(clientId, 'any-secret')).status).toBe(401);
    });
  });
});
