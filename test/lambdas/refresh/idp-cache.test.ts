import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ScheduledEvent } from 'aws-lambda';
import { cachedDocuments, IDP_CACHE_MAX_AGE_SECONDS, idpCacheItem } from '../../../lambdas/shared/idp-documents';
import { type FakeIdp, startFakeIdp } from '../../support/fake-idp';
import { type Integration, startIntegration } from '../../support/integration';

/** The refresher against the local DynamoDB engine and a fake IdP, as EventBridge and CloudFormation invoke it. */
let idp: FakeIdp;
let integration: Integration;
let handler: typeof import('../../../lambdas/refresh/idp-cache').handler;
let cloudFormation: Server;
const answers: Record<string, unknown>[] = [];

beforeAll(async () => {
  idp = await startFakeIdp();
  integration = await startIntegration({ OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: 'guichet', OIDC_CLIENT_SECRET: 'secret' });
  ({ handler } = await import('../../../lambdas/refresh/idp-cache'));
  cloudFormation = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      answers.push(JSON.parse(body) as Record<string, unknown>);
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => cloudFormation.listen(0, '127.0.0.1', () => resolve()));
});
afterAll(async () => {
  await new Promise<void>((resolve) => cloudFormation.close(() => resolve()));
  await integration?.guichet.close();
  await idp?.close();
});
beforeEach(async () => {
  answers.length = 0;
  await integration.store.remove('idpCache', idp.issuer);
});

const now = () => Math.floor(Date.now() / 1000);
const scheduled = { 'detail-type': 'Scheduled Event', source: 'aws.events', detail: {} } as ScheduledEvent;
const resourceRequest = (type: 'Create' | 'Update' | 'Delete') => ({
  RequestType: type,
  ResponseURL: `http://127.0.0.1:${(cloudFormation.address() as AddressInfo).port}/response`,
  StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/Guichet/x',
  RequestId: 'request-1',
  LogicalResourceId: 'IdpCacheRefreshCacheFilled',
  ResourceProperties: { Issuer: idp.issuer },
});
const cachedItem = () => integration.store.get('idpCache', idp.issuer);

describe('the IdP cache refresher', () => {
  it("on its schedule, caches the IdP's discovery document and keys as their readers will take them", async () => {
    const before = now();
    await handler(scheduled);
    const item = await cachedItem();
    expect(item).toMatchObject({ id: idp.issuer });
    expect(item!.fetchedAt).toBeGreaterThanOrEqual(before);
    expect(item!.expiresAt).toBe((item!.fetchedAt as number) + IDP_CACHE_MAX_AGE_SECONDS);
    expect(cachedDocuments(item, idp.issuer, now())).toMatchObject({
      documents: {
        metadata: { issuer: idp.issuer, authorization_endpoint: `${idp.issuer}/authorize` },
        keys: { jwks: { keys: [idp.publicJwk] } },
      },
    });
  });

  it('fills the cache when CloudFormation creates or updates the stack, and reports SUCCESS', async () => {
    await handler(resourceRequest('Create'));
    expect(await cachedItem()).toBeDefined();
    await handler(resourceRequest('Update'));
    expect(answers).toEqual([
      expect.objectContaining({ Status: 'SUCCESS', RequestId: 'request-1', PhysicalResourceId: `idp-cache:${idp.issuer}` }),
      expect.objectContaining({ Status: 'SUCCESS' }),
    ]);
  });

  it('leaves everything alone on Delete: the copy expires by itself', async () => {
    idp.requests.length = 0;
    await handler(resourceRequest('Delete'));
    expect(answers).toEqual([expect.objectContaining({ Status: 'SUCCESS' })]);
    expect(idp.requests).toEqual([]);
  });
});

describe('the IdP cache refresher, when the IdP fails it', () => {
  /** An IdP whose discovery document sends logins to another host. */
  let hostile: Server;
  let hostileIssuer: string;
  let refresherOf: (issuer: string) => Promise<typeof handler>;

  beforeAll(async () => {
    hostile = createServer((_, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(
        JSON.stringify({
          issuer: hostileIssuer,
          authorization_endpoint: 'http://evil.example/authorize',
          token_endpoint: `${hostileIssuer}/token`,
          jwks_uri: `${hostileIssuer}/jwks`,
        }),
      ),
    );
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', () => resolve()));
    hostileIssuer = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
    // A refresher of another deployment, configured with that IdP.
    refresherOf = async (issuer) => {
      let refresher: typeof handler | undefined;
      const configured = process.env.OIDC_ISSUER;
      process.env.OIDC_ISSUER = issuer;
      await jest.isolateModulesAsync(async () => {
        refresher = (await import('../../../lambdas/refresh/idp-cache')).handler;
      });
      process.env.OIDC_ISSUER = configured;
      return refresher!;
    };
  });
  afterAll(() => new Promise<void>((resolve) => hostile.close(() => resolve())));

  it('writes no document its readers would refuse, fails the run, and reports FAILED with the reason at deploy', async () => {
    const refresher = await refresherOf(hostileIssuer);
    await expect(refresher(scheduled)).rejects.toThrow(/discovery document cannot be used: .*authorization_endpoint/);
    await refresher({ ...resourceRequest('Create'), ResourceProperties: { Issuer: hostileIssuer } });
    expect(answers).toEqual([expect.objectContaining({ Status: 'FAILED', Reason: expect.stringMatching(/authorization_endpoint/) })]);
    expect(await integration.store.get('idpCache', hostileIssuer)).toBeUndefined();
  });

  it('keeps the copy it has when the IdP cannot be reached', async () => {
    const gone = await startFakeIdp();
    await gone.close();
    const copy = idpCacheItem(
      gone.issuer,
      { issuer: gone.issuer, authorization_endpoint: `${gone.issuer}/authorize` },
      { keys: [] },
      now() - 60,
    );
    await integration.store.put('idpCache', { ...copy });
    const refresher = await refresherOf(gone.issuer);
    await expect(refresher(scheduled)).rejects.toThrow();
    expect(await integration.store.get('idpCache', gone.issuer)).toEqual(copy);
  });
});
