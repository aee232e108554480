import { Metrics } from '@aws-lambda-powertools/metrics';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { publicSessionId } from '../../../../lambdas/domain/user-tokens';
import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';
import { storedSession } from '../../../support/sessions';

const PRODUCT = 'https://api.product.example';
const FAILURE_LIMIT = 5;
const SESSION_TYPE = 'urn:guichet:token-type:session';
let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/oauth/token').handler;
let addressCounter = 0;

beforeAll(async () => {
  integration = await startIntegration({
    API_AUDIENCES: JSON.stringify({ [PRODUCT]: ['profile:read', 'notes:write'] }),
    USER_TOKEN_TTL_SECONDS: '300',
    TOKEN_FAILURE_LIMIT: String(FAILURE_LIMIT),
  });
  ({ handler } = await import('../../../../lambdas/handlers/oauth/token'));
});
afterAll(() => integration?.guichet.close());
afterEach(() => jest.restoreAllMocks());

function exchange(form: Record<string, string>, sourceIp = `198.51.100.${(addressCounter += 1)}`, headers: Record<string, string> = {}) {
  const event = httpEvent({
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: SESSION_TYPE,
      ...form,
    }).toString(),
  });
  event.requestContext.http.sourceIp = sourceIp;
  return invoke(handler, event);
}

const now = () => Math.floor(Date.now() / 1000);

describe('POST /oauth/token, token exchange (RFC 8693)', () => {
  it("exchanges a native app's session token for a user token bound to one API", async () => {
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    const addDimensions = jest.spyOn(Metrics.prototype, 'addDimensions');
    const session = await storedSession(integration.store, { flow: 'native', sub: 'nina', email: 'nina@example.test' });
    const result = await exchange({ subject_token: session.token, audience: PRODUCT, scope: 'profile:read' });

    expect(result.statusCode).toBe(200);
    expect(result.headers!['Cache-Control']).toBe('no-store');
    const body = jsonBody(result);
    expect(body).toEqual({
      access_token: expect.any(String),
      issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      token_type: 'Bearer',
      expires_in: 300,
      scope: 'profile:read',
    });
    const token = body.access_token as string;
    expect(decodeProtectedHeader(token)).toMatchObject({ typ: 'at+jwt', alg: 'RS256', kid: expect.any(String) });
    const claims = decodeJwt(token);
    expect(claims).toEqual({
      iss: integration.guichet.publicUrl,
      aud: PRODUCT,
      sub: 'nina',
      email: 'nina@example.test',
      sid: publicSessionId(session.id),
      client_id: 'guichet-session',
      scope: 'profile:read',
      iat: expect.any(Number),
      exp: expect.any(Number),
      jti: expect.any(String),
    });
    expect(claims.exp! - claims.iat!).toBe(300);
    expect(JSON.stringify(claims)).not.toContain(session.id);

    expect(addMetric).toHaveBeenCalledWith('UserTokenIssued', 'Count', 1);
    expect(addDimensions).toHaveBeenCalledWith({ audience: PRODUCT });
    expect(addDimensions).toHaveBeenCalledWith({ flow: 'native' });
  });

  it('grants every scope of the audience when none is asked for, and accepts resource for audience', async () => {
    const session = await storedSession(integration.store, { flow: 'native' });
    const result = await exchange({ subject_token: session.token, resource: PRODUCT });
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result).scope).toBe('profile:read notes:write');
  });

  it('never lends more time than the session has: the token expires with it', async () => {
    const session = await storedSession(integration.store, { expiresAt: now() + 42 });
    const result = await exchange({ subject_token: session.token, audience: PRODUCT });
    expect(result.statusCode).toBe(200);
    const { expires_in: expiresIn, access_token: token } = jsonBody(result) as { expires_in: number; access_token: string };
    expect(expiresIn).toBeGreaterThanOrEqual(41);
    expect(expiresIn).toBeLessThanOrEqual(42);
    expect(decodeJwt(token).exp).toBeLessThanOrEqual(now() + 42);
  });

  it.each([
    ['an unlisted audience', { audience: 'https://evil.example' }, 'invalid_target'],
    ['no audience while ACCESS_TOKEN_AUDIENCE is not listed', {}, 'invalid_target'],
    ['a scope the audience does not accept', { audience: PRODUCT, scope: 'profile:read admin' }, 'invalid_scope'],
  ])('refuses %s with 400 %s, and counts it', async (_, form, error) => {
    const addDimensions = jest.spyOn(Metrics.prototype, 'addDimensions');
    const session = await storedSession(integration.store);
    const result = await exchange({ subject_token: session.token, ...form });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe(error);
    expect(addDimensions).toHaveBeenCalledWith({ reason: error });
  });

  it.each([
    [
      'an ended session',
      async () => {
        const session = await storedSession(integration.store);
        await integration.store.remove('sessions', session.id);
        return session.token;
      },
    ],
    ['an expired session whose row is still there', async () => (await storedSession(integration.store, { expiresAt: now() - 1 })).token],
    ['an unknown session token', async () => 'u'.repeat(43)],
    ['a malformed session token', async () => 'not a token'],
  ])('refuses %s with 400 invalid_grant', async (_, subjectToken) => {
    const result = await exchange({ subject_token: await subjectToken(), audience: PRODUCT });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toEqual({
      error: 'invalid_grant',
      error_description: 'the session is unknown, ended or expired: sign in again',
    });
  });

  it('refuses client authentication, and names the grant types it supports', async () => {
    const session = await storedSession(integration.store);
    const authenticated = await exchange({ subject_token: session.token, audience: PRODUCT }, undefined, { authorization: 'Basic YTpi' });
    expect(authenticated.statusCode).toBe(400);
    expect(jsonBody(authenticated).error).toBe('invalid_request');
    const other = await exchange({ grant_type: 'password' });
    expect(jsonBody(other)).toEqual({
      error: 'unsupported_grant_type',
      error_description: 'supported grant types: client_credentials, urn:ietf:params:oauth:grant-type:token-exchange',
    });
  });

  it('spends the address budget on failures, shared with the client-credentials grant, then answers 429', async () => {
    const address = '203.0.113.77';
    for (let i = 0; i < FAILURE_LIMIT; i += 1) {
      expect((await exchange({ subject_token: 'u'.repeat(43), audience: PRODUCT }, address)).statusCode).toBe(400);
    }
    const session = await storedSession(integration.store);
    const limited = await exchange({ subject_token: session.token, audience: PRODUCT }, address);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers!['Retry-After']).toEqual(expect.stringMatching(/^\d+$/));
    const clientCredentials = await exchange({ grant_type: 'client_credentials' }, address);
    expect(clientCredentials.statusCode).toBe(429);
  });
});
