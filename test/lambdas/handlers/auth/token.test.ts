import { Metrics } from '@aws-lambda-powertools/metrics';
import { decodeJwt } from 'jose';
import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';
import { storedSession } from '../../../support/sessions';

const PRODUCT = 'https://api.product.example';
const APP_ORIGIN = 'https://app.example.com';
let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/auth/token').handler;

beforeAll(async () => {
  integration = await startIntegration({
    API_AUDIENCES: JSON.stringify({ [PRODUCT]: ['profile:read', 'notes:write'] }),
    CORS_ORIGINS: APP_ORIGIN,
  });
  ({ handler } = await import('../../../../lambdas/handlers/auth/token'));
});
afterAll(() => integration?.guichet.close());
afterEach(() => jest.restoreAllMocks());

interface Call {
  readonly cookie?: string;
  readonly origin?: string;
  readonly requestedWith?: string;
  readonly contentType?: string;
  readonly body?: string;
}

function userTokenRequest({ cookie, origin = APP_ORIGIN, requestedWith = 'guichet', contentType = 'application/json', body }: Call) {
  const headers: Record<string, string> = { 'content-type': contentType };
  if (origin) headers.origin = origin;
  if (requestedWith) headers['x-requested-with'] = requestedWith;
  return invoke(
    handler,
    httpEvent({ method: 'POST', path: '/auth/token', headers, cookies: cookie ? [`guichet_session=${cookie}`] : undefined, body }),
  );
}

describe("POST /auth/token, a web app's cookie for a user token", () => {
  it('answers a script of a listed origin with a user token of the web session', async () => {
    const addDimensions = jest.spyOn(Metrics.prototype, 'addDimensions');
    const session = await storedSession(integration.store, { sub: 'wes', email: 'wes@example.test' });
    const result = await userTokenRequest({ cookie: session.token, body: JSON.stringify({ audience: PRODUCT, scope: 'notes:write' }) });
    expect(result.statusCode).toBe(200);
    expect(result.headers!['Cache-Control']).toBe('no-store');
    const body = jsonBody(result);
    expect(body).toMatchObject({
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      scope: 'notes:write',
    });
    expect(decodeJwt(body.access_token as string)).toMatchObject({
      aud: PRODUCT,
      sub: 'wes',
      email: 'wes@example.test',
      client_id: 'guichet-session',
    });
    expect(addDimensions).toHaveBeenCalledWith({ flow: 'web' });
  });

  it("answers guichet's own origin, and a form body", async () => {
    const session = await storedSession(integration.store);
    const result = await userTokenRequest({
      cookie: session.token,
      origin: new URL(integration.guichet.publicUrl).origin,
      contentType: 'application/x-www-form-urlencoded',
      body: new URLSearchParams({ audience: PRODUCT }).toString(),
    });
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result).scope).toBe('profile:read notes:write');
  });

  it.each([
    ['without X-Requested-With: a form post of any site', { requestedWith: '' }],
    ['from an unlisted origin', { origin: 'https://evil.example' }],
    ['without Origin', { origin: '' }],
  ])('refuses a request %s with 403 before reading the session, and counts it', async (_, call) => {
    const addDimensions = jest.spyOn(Metrics.prototype, 'addDimensions');
    const session = await storedSession(integration.store);
    const result = await userTokenRequest({ cookie: session.token, body: JSON.stringify({ audience: PRODUCT }), ...call });
    expect(result.statusCode).toBe(403);
    expect(jsonBody(result).error).toBe('access_denied');
    expect(addDimensions).toHaveBeenCalledWith({ reason: 'access_denied' });
  });

  it('answers 401 without a session cookie, and 400 invalid_grant for an ended session', async () => {
    const none = await userTokenRequest({ body: JSON.stringify({ audience: PRODUCT }) });
    expect(none.statusCode).toBe(401);
    expect(jsonBody(none).error).toBe('unauthenticated');
    const session = await storedSession(integration.store);
    await integration.store.remove('sessions', session.id);
    const ended = await userTokenRequest({ cookie: session.token, body: JSON.stringify({ audience: PRODUCT }) });
    expect(ended.statusCode).toBe(400);
    expect(jsonBody(ended).error).toBe('invalid_grant');
  });

  it('refuses an unlisted audience with invalid_target and a foreign scope with invalid_scope', async () => {
    const session = await storedSession(integration.store);
    const target = await userTokenRequest({ cookie: session.token, body: JSON.stringify({ audience: 'https://evil.example' }) });
    expect(jsonBody(target).error).toBe('invalid_target');
    const scope = await userTokenRequest({ cookie: session.token, body: JSON.stringify({ audience: PRODUCT, scope: 'admin' }) });
    expect(jsonBody(scope).error).toBe('invalid_scope');
  });
});
