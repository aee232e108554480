import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { sha256 } from '../../lambdas/shared/crypto';
import { idpCacheItem } from '../../lambdas/shared/idp-documents';
import { ADDIN_ORIGIN, ADDIN_SETTINGS, exchangeEvent, openAddin } from '../support/addins';
import { httpEvent } from '../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../support/integration';
import { storedSession } from '../support/sessions';

/**
 * When the IdP, DynamoDB or Secrets Manager fails, guichet says what is unavailable: 502, 503 or 504 with the
 * contract's error body (`temporarily_unavailable`) and Retry-After, counted by dependency — never a bare 500. A
 * login needs the IdP only when the shared IdP cache has no usable copy of its documents.
 * Each failure is real: an IdP that drops connections, never answers, or answers HTML; DynamoDB and Secrets
 * Manager answering throttling and server errors through their own wire protocol.
 */
type IdpMode = 'dropping' | 'silent' | 'garbage';
let idpMode: IdpMode = 'dropping';
let idp: Server;
let integration: Integration;
let login: typeof import('../../lambdas/handlers/auth/login').handler;
let session: typeof import('../../lambdas/handlers/auth/session').handler;
let init: typeof import('../../lambdas/handlers/addins/sessions-init').handler;

beforeAll(async () => {
  idp = createServer((request, response) => {
    if (idpMode === 'dropping') request.socket.destroy();
    else if (idpMode === 'garbage') response.writeHead(200, { 'content-type': 'text/html' }).end('<html>maintenance</html>');
    // silent: never answers
  });
  await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
  integration = await startIntegration({ OIDC_ISSUER: issuer, OIDC_CLIENT_ID: 'guichet', OIDC_CLIENT_SECRET: 'secret', ...ADDIN_SETTINGS });
  ({ handler: login } = await import('../../lambdas/handlers/auth/login'));
  ({ handler: session } = await import('../../lambdas/handlers/auth/session'));
  ({ handler: init } = await import('../../lambdas/handlers/addins/sessions-init'));
});
afterAll(async () => {
  idp.closeAllConnections();
  await new Promise<void>((resolve) => idp.close(() => resolve()));
  await integration?.guichet.close();
});
afterEach(() => {
  integration.guichet.account.clearFaults();
  jest.restoreAllMocks();
});

/** The answer, and the DependencyFailed counts it emitted, as `dependency/reason`. */
async function answerOf(work: () => Promise<{ statusCode?: number; headers?: Record<string, unknown>; body?: string }>) {
  const dimensions = jest.spyOn(Metrics.prototype, 'addDimensions');
  const metrics = jest.spyOn(Metrics.prototype, 'addMetric');
  const result = await work();
  // Each count is a Metrics instance of its own: its dimensions are those added to the same instance.
  const dimensionsOf = (instance: unknown) =>
    dimensions.mock.calls
      .filter((_, index) => dimensions.mock.contexts[index] === instance)
      .map(([added]) => added)
      .find((added) => Object.keys(added).length > 0);
  const failures = metrics.mock.calls
    .map(([name], index) => [name, dimensionsOf(metrics.mock.contexts[index])] as const)
    .filter(([name]) => name === 'DependencyFailed')
    .map(([, dims]) => `${dims?.dependency}/${dims?.reason}`);
  return {
    status: result.statusCode,
    retryAfter: result.headers?.['Retry-After'],
    body: JSON.parse(result.body ?? '{}') as unknown,
    failures,
  };
}

describe('the IdP fails', () => {
  it.each([
    ['drops the connection', 'dropping', 'could not be reached', 'idp/unreachable'],
    ['answers HTML instead of its discovery document', 'garbage', 'answered something unusable', 'idp/invalid_response'],
    ['does not answer within 5 s', 'silent', 'did not answer in time', 'idp/timeout'],
  ] as const)(
    'when it %s and its metadata is not cached, a login answers 503 naming both',
    async (_, mode, what, failure) => {
      idpMode = mode;
      const answer = await answerOf(() => invoke(login, httpEvent({ path: '/auth/login' })));
      const description = `the identity provider's metadata is not cached and the identity provider ${what}`;
      expect(answer).toEqual({
        status: 503,
        retryAfter: '5',
        body: { error: 'temporarily_unavailable', error_description: description },
        failures: [failure],
      });
    },
    15_000,
  );

  it('when it drops the connection but its documents are cached, a login is served from the cache', async () => {
    idpMode = 'dropping';
    const issuer = integration.guichet.issuer;
    const metadata = {
      issuer,
      authorization_endpoint: `${issuer}/authorize`,
      token_endpoint: `${issuer}/token`,
      jwks_uri: `${issuer}/jwks`,
    };
    await integration.store.put('idpCache', { ...idpCacheItem(issuer, metadata, { keys: [] }, Math.floor(Date.now() / 1000)) });
    const result = await invoke(login, httpEvent({ path: '/auth/login' }));
    expect(result.statusCode).toBe(302);
    expect(new URL(result.headers!.Location as string).pathname).toBe('/authorize');
  });
});

describe('DynamoDB fails', () => {
  it.each([
    [
      'throttles',
      { type: 'ProvisionedThroughputExceededException', status: 400 },
      'the database is busy; retry shortly',
      '1',
      'DynamoDB/throttled',
    ],
    ['fails', { type: 'InternalServerError', status: 500 }, 'the database is failing; retry shortly', '2', 'DynamoDB/failed'],
  ])('when it %s, a session check answers 503 with Retry-After', async (_, error, description, retryAfter, failure) => {
    const { token } = await storedSession(integration.store);
    integration.guichet.account.injectFault({ service: 'dynamodb', operation: 'GetItem', error: { ...error, message: 'injected' } });
    const answer = await answerOf(() =>
      invoke(session, httpEvent({ path: '/auth/session', headers: { authorization: `Bearer ${token}` } })),
    );
    expect(answer).toEqual({
      status: 503,
      retryAfter,
      body: { error: 'temporarily_unavailable', error_description: description },
      failures: [failure],
    });
  });

  it('is still answered as a bug (500) when it refuses guichet itself: a grant missing from the template', async () => {
    integration.guichet.account.injectFault({
      service: 'dynamodb',
      operation: 'GetItem',
      error: { type: 'AccessDeniedException', status: 400, message: 'not authorized' },
    });
    const { token } = await storedSession(integration.store);
    const answer = await answerOf(() =>
      invoke(session, httpEvent({ path: '/auth/session', headers: { authorization: `Bearer ${token}` } })),
    );
    expect(answer).toMatchObject({ status: 500, body: { error: 'server_error' }, failures: [] });
  });
});

describe('Secrets Manager fails', () => {
  it("answers an add-in's init with 503 while its CSRF key cannot be read, and serves it once it can", async () => {
    integration.guichet.account.injectFault({
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      error: { type: 'InternalServiceError', status: 500, message: 'injected' },
    });
    const initEvent = () => httpEvent({ method: 'POST', path: '/addons/sessions/init', headers: { origin: ADDIN_ORIGIN } });
    const answer = await answerOf(() => invoke(init, initEvent()));
    expect(answer).toEqual({
      status: 503,
      retryAfter: '2',
      body: { error: 'temporarily_unavailable', error_description: 'the secret store is failing; retry shortly' },
      failures: ['SecretsManager/failed'],
    });
    integration.guichet.account.clearFaults();
    await expect(openAddin(init)).resolves.toBeDefined();
    expect(jsonBody(await invoke(init, initEvent())).transit_token).toEqual(expect.any(String));
  });

  it("answers an add-in's exchange with 503 while the signing keys cannot be read, leaving its transit token for a retry", async () => {
    const addin = await openAddin(init);
    const { token } = await storedSession(integration.store);
    const { handler: exchange } = await import('../../lambdas/handlers/addins/sessions-exchange');
    integration.guichet.account.injectFault({
      service: 'secretsmanager',
      operation: 'GetSecretValue',
      error: { type: 'InternalServiceError', status: 500, message: 'injected' },
    });
    const answer = await answerOf(() => invoke(exchange, exchangeEvent(addin.transitToken, token)));
    expect(answer).toMatchObject({ status: 503, failures: ['SecretsManager/failed'] });
    expect(await integration.store.get('transitTokens', sha256(addin.transitToken))).toMatchObject({ state: 'pending' });
    integration.guichet.account.clearFaults();
    expect((await invoke(exchange, exchangeEvent(addin.transitToken, token))).statusCode).toBe(200);
  });
});
