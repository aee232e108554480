import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { runApps } from '../../../../cli/run-apps';
import { httpEvent } from '../../../support/api-event';
import { assertionKey, basicAuthorization, clientAssertion, storedApplication, storedKeysApplication } from '../../../support/applications';
import { runCli } from '../../../support/cli-run';
import { cliEnvironmentFor, type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';

const FAILURE_LIMIT = 6;
let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/oauth/token').handler;
let time: typeof import('../../../../lambdas/shared/time');
let dynamo: typeof import('../../../../lambdas/shared/dynamo');
let addressCounter = 0;

beforeAll(async () => {
  // As deployed: ALLOW_LOOPBACK_ENDPOINTS is not set.
  integration = await startIntegration({ TOKEN_FAILURE_LIMIT: String(FAILURE_LIMIT) });
  ({ handler } = await import('../../../../lambdas/handlers/oauth/token'));
  time = await import('../../../../lambdas/shared/time');
  dynamo = await import('../../../../lambdas/shared/dynamo');
});
afterAll(() => integration?.guichet.close());
afterEach(() => jest.restoreAllMocks());

function tokenRequest(
  form: Record<string, string>,
  headers: Record<string, string> = {},
  sourceIp = `198.51.100.${(addressCounter += 1)}`,
) {
  const event = httpEvent({
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  event.requestContext.http.sourceIp = sourceIp;
  return invoke(handler, event);
}

describe('POST /oauth/token', () => {
  it('issues an RFC 9068 token with every granted scope, for client_secret_basic', async () => {
    const { clientId, clientSecret } = await storedApplication(integration.store);
    const result = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuthorization(clientId, clientSecret) });
    expect(result.statusCode).toBe(200);
    expect(result.headers!['Cache-Control']).toBe('no-store');
    const body = jsonBody(result);
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'read write' });
    expect(decodeProtectedHeader(body.access_token as string)).toMatchObject({ typ: 'at+jwt', alg: 'RS256', kid: expect.any(String) });
    expect(decodeJwt(body.access_token as string)).toMatchObject({
      iss: integration.guichet.publicUrl,
      aud: `${integration.guichet.publicUrl}/external-api`,
      sub: clientId,
      client_id: clientId,
      scope: 'read write',
    });
  });

  it('accepts client_secret_post and narrows to the requested scopes', async () => {
    const { clientId, clientSecret } = await storedApplication(integration.store);
    const result = await tokenRequest({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      scope: 'write',
    });
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result).scope).toBe('write');
  });

  it('acts for a user of an allowed domain: sub and email are the user, act names the application (RFC 8693 §4.1)', async () => {
    const { clientId, clientSecret } = await storedApplication(integration.store, { domains: ['example.com'] });
    const result = await tokenRequest({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      subject: 'Ada@Example.com',
    });
    expect(result.statusCode).toBe(200);
    expect(decodeJwt(jsonBody(result).access_token as string)).toMatchObject({
      sub: 'ada@example.com',
      email: 'ada@example.com',
      client_id: clientId,
      act: { sub: clientId },
    });
  });

  it("gives the application's own token no act: it acts for nobody", async () => {
    const { clientId, clientSecret } = await storedApplication(integration.store, { domains: ['example.com'] });
    const result = await tokenRequest({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret });
    expect(decodeJwt(jsonBody(result).access_token as string)).not.toHaveProperty('act');
  });

  it('acts for a user of any domain when the application was granted the wildcard', async () => {
    const { clientId, clientSecret } = await storedApplication(integration.store, { domains: ['*'] });
    const result = await tokenRequest({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      subject: 'Ada@Anywhere.org',
    });
    expect(result.statusCode).toBe(200);
    expect(decodeJwt(jsonBody(result).access_token as string)).toMatchObject({ sub: 'ada@anywhere.org', email: 'ada@anywhere.org' });
  });

  it('refuses any delegation to an application with no allowed domain, one stored before that meant any included', async () => {
    // The harness writes no delegationModel: this is also a record from before delegation was closed by default.
    const { clientId, clientSecret } = await storedApplication(integration.store, { domains: [] });
    const result = await tokenRequest({
      grant_type: 'client_credentials',
      client_id: clientId,
      client_secret: clientSecret,
      subject: 'ada@example.com',
    });
    expect(result.statusCode).toBe(403);
    expect(jsonBody(result)).toEqual({ error: 'access_denied', error_description: 'this application may not act for users' });
  });

  it.each(['ada@evil-example.com', 'ada@example.com.evil.org', 'ada@sub.example.com', 'not-an-email', 'a@b@example.com'])(
    'refuses to act for %s with 403 access_denied',
    async (subject) => {
      const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
      const { clientId, clientSecret } = await storedApplication(integration.store, { domains: ['example.com'] });
      const result = await tokenRequest({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret, subject });
      expect(result.statusCode).toBe(403);
      expect(jsonBody(result).error).toBe('access_denied');
      expect(addMetric.mock.calls.map(([name]) => name)).toContain('DelegationRefused');
      addMetric.mockRestore();
    },
  );

  it.each([
    ['an unknown client', async () => ({ clientId: 'app_AAAAAAAAAAAAAAAAAAAAAA', clientSecret: 'x'.repeat(43) })],
    ['a wrong secret', async () => ({ ...(await storedApplication(integration.store)), clientSecret: 'y'.repeat(43) })],
    ['an inactive application', async () => storedApplication(integration.store, { active: false })],
    ['a malformed client id', async () => ({ clientId: 'nope', clientSecret: 'z' })],
  ])('answers 401 invalid_client with WWW-Authenticate for %s over Basic', async (_, credentials) => {
    const { clientId, clientSecret } = await credentials();
    const result = await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuthorization(clientId, clientSecret) });
    expect(result.statusCode).toBe(401);
    expect(jsonBody(result)).toEqual({ error: 'invalid_client', error_description: 'client authentication failed' });
    expect(result.headers!['WWW-Authenticate']).toMatch(/^Basic realm="guichet"/);
  });

  it('answers 401 invalid_client without WWW-Authenticate for bad form credentials', async () => {
    const { clientId } = await storedApplication(integration.store);
    const result = await tokenRequest({ grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' });
    expect(result.statusCode).toBe(401);
    expect(result.headers!['WWW-Authenticate']).toBeUndefined();
  });

  it.each([
    ['no grant_type', {}, 400, 'invalid_request'],
    ['another grant type', { grant_type: 'authorization_code' }, 400, 'unsupported_grant_type'],
    ['no client authentication', { grant_type: 'client_credentials' }, 401, 'invalid_client'],
  ])('answers %s with the status and code of the contract', async (_, form, status, error) => {
    const result = await tokenRequest(form as Record<string, string>);
    expect(result.statusCode).toBe(status);
    expect(jsonBody(result).error).toBe(error);
  });

  it('refuses two authentication methods at once', async () => {
    const { clientId, clientSecret } = await storedApplication(integration.store);
    const result = await tokenRequest(
      { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret },
      { authorization: basicAuthorization(clientId, clientSecret) },
    );
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_request');
  });

  it.each([
    ['a scope not granted', { scopes: ['read'] }, 'read admin'],
    ['no scope granted at all', { scopes: [] }, undefined],
    ['a malformed scope', { scopes: ['read'] }, 'read "x"'],
  ])('answers 400 invalid_scope for %s', async (_, application, scope) => {
    const { clientId, clientSecret } = await storedApplication(integration.store, application);
    const form: Record<string, string> = { grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret };
    if (scope !== undefined) form.scope = scope;
    const result = await tokenRequest(form);
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_scope');
  });

  it('answers 415 for a JSON body and 400 for a repeated parameter', async () => {
    const event = httpEvent({ method: 'POST', path: '/oauth/token', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect((await invoke(handler, event)).statusCode).toBe(415);
    const repeated = httpEvent({
      method: 'POST',
      path: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials&grant_type=client_credentials',
    });
    expect((await invoke(handler, repeated)).statusCode).toBe(400);
  });

  it('counts failed client authentications and answers 429 past the budget of an address', async () => {
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    const { clientId } = await storedApplication(integration.store);
    for (let i = 0; i < FAILURE_LIMIT; i += 1) {
      const result = await tokenRequest(
        { grant_type: 'client_credentials', client_id: clientId, client_secret: 'wrong' },
        {},
        '203.0.113.99',
      );
      expect(result.statusCode).toBe(401);
    }
    expect(addMetric.mock.calls.filter(([name]) => name === 'ClientAuthenticationFailed')).toHaveLength(FAILURE_LIMIT);
    addMetric.mockRestore();
    const limited = await tokenRequest({ grant_type: 'client_credentials' }, {}, '203.0.113.99');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers!['Retry-After']).toEqual(expect.stringMatching(/^\d+$/));
  });
});

interface Credentials {
  client_id: string;
  client_secret: string;
}

describe('overlapping secrets', () => {
  const apps = async (...argv: string[]) => runCli(runApps, argv, await cliEnvironmentFor(integration));
  const statusWith = async (clientId: string, secret: string) =>
    (await tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuthorization(clientId, secret) })).statusCode;

  it('during the grace period both secrets get a token; after it (a fake clock), only the new one', async () => {
    const created = (await apps('create', '--name', 'Rotating', '--scopes', 'read', '--json')).json<Credentials>();
    const rotated = (await apps('rotate-secret', created.client_id, '--grace', '90m', '--json')).json<{ client_secret: string }>();
    expect(await statusWith(created.client_id, created.client_secret)).toBe(200);
    expect(await statusWith(created.client_id, rotated.client_secret)).toBe(200);

    const end = (await integration.store.get('applications', created.client_id))!.previousSecretExpiresAt as number;
    jest.spyOn(time, 'nowSeconds').mockReturnValue(end);
    expect(await statusWith(created.client_id, created.client_secret)).toBe(401);
    expect(await statusWith(created.client_id, rotated.client_secret)).toBe(200);
  });

  it('after retire-secret, only the new one', async () => {
    const created = (await apps('create', '--name', 'Retiring', '--scopes', 'read', '--json')).json<Credentials>();
    const rotated = (await apps('rotate-secret', created.client_id, '--json')).json<{ client_secret: string }>();
    expect(await statusWith(created.client_id, created.client_secret)).toBe(200);
    expect((await apps('retire-secret', created.client_id)).code).toBe(0);
    expect(await statusWith(created.client_id, created.client_secret)).toBe(401);
    expect(await statusWith(created.client_id, rotated.client_secret)).toBe(200);
  });
});

describe('private_key_jwt, as deployed', () => {
  it('refuses a jwks_uri on a loopback or private address without calling it (ALLOW_LOOPBACK_ENDPOINTS off)', async () => {
    const requests: string[] = [];
    const server = createServer((request, response) => {
      requests.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": []}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const key = await assertionKey();
      const uris = [`http://127.0.0.1:${port}/jwks.json`, `https://127.0.0.1:${port}/jwks.json`, 'https://10.0.0.8/jwks.json'];
      for (const jwksUri of [...uris, 'https://169.254.169.254/latest/meta-data/']) {
        const clientId = await storedKeysApplication(integration.store, { jwksUri });
        const assertion = await clientAssertion(key, clientId, integration.guichet.publicUrl);
        const result = await tokenRequest({
          grant_type: 'client_credentials',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion,
        });
        expect(result.statusCode).toBe(401);
        expect(jsonBody(result).error).toBe('invalid_client');
      }
      expect(requests).toEqual([]);
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('storage round trips', () => {
  /**
   * The longest chain of DynamoDB calls each made after the one before it ended, in a request: what a request waits
   * for in a row. Measured by the order of their starts and ends, not by time.
   */
  async function roundTripsInARow(request: () => Promise<unknown>): Promise<{ inARow: number; calls: string[] }> {
    const original = dynamo.documentClient.send.bind(dynamo.documentClient);
    const calls: { name: string; start: number; end?: number }[] = [];
    let tick = 0;
    jest.spyOn(dynamo.documentClient, 'send').mockImplementation(((command: { constructor: { name: string } }, ...rest: unknown[]) => {
      const call: { name: string; start: number; end?: number } = { name: command.constructor.name, start: (tick += 1) };
      calls.push(call);
      return (original as (...args: unknown[]) => Promise<unknown>)(command, ...rest).finally(() => (call.end = tick += 1));
    }) as never);
    await request();
    jest.restoreAllMocks();
    const depth = new Map<(typeof calls)[number], number>();
    for (const call of calls) {
      const before = calls.filter((earlier) => earlier.end! < call.start).map((earlier) => depth.get(earlier)!);
      depth.set(call, 1 + Math.max(0, ...before));
    }
    return { inARow: Math.max(...depth.values()), calls: calls.map((call) => call.name) };
  }

  it('a client-credentials success makes two in a row: the budget unit taken with the application read, then given back', async () => {
    const { clientId, clientSecret } = await storedApplication(integration.store);
    const request = () => tokenRequest({ grant_type: 'client_credentials' }, { authorization: basicAuthorization(clientId, clientSecret) });
    expect((await request()).statusCode).toBe(200);
    const { inARow, calls } = await roundTripsInARow(async () => expect((await request()).statusCode).toBe(200));
    expect(calls.sort()).toEqual(['GetCommand', 'UpdateCommand', 'UpdateCommand']);
    expect(inARow).toBe(2);
  });

  it('with private_key_jwt, three: the assertion’s jti is recorded once it verified, before the unit is given back', async () => {
    const key = await assertionKey();
    const clientId = await storedKeysApplication(integration.store, { jwks: { keys: [key.publicJwk] } });
    const request = async () =>
      tokenRequest({
        grant_type: 'client_credentials',
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: await clientAssertion(key, clientId, integration.guichet.publicUrl),
      });
    expect((await request()).statusCode).toBe(200);
    const { inARow, calls } = await roundTripsInARow(async () => expect((await request()).statusCode).toBe(200));
    expect(calls.sort()).toEqual(['GetCommand', 'PutCommand', 'UpdateCommand', 'UpdateCommand']);
    expect(inARow).toBe(3);
  });
});
