import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';
import { storedSession } from '../../../support/sessions';

let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/auth/session').handler;

beforeAll(async () => {
  integration = await startIntegration();
  ({ handler } = await import('../../../../lambdas/handlers/auth/session'));
});
afterAll(() => integration?.guichet.close());

const sessionRequest = (init: { cookies?: string[]; headers?: Record<string, string> }) =>
  invoke(handler, httpEvent({ path: '/auth/session', ...init }));

describe('GET /auth/session', () => {
  it('describes a live session presented as a cookie', async () => {
    const { token } = await storedSession(integration.store);
    const result = await sessionRequest({ cookies: [`guichet_session=${token}`] });
    expect(result.statusCode).toBe(200);
    expect(result.headers!['Cache-Control']).toBe('no-store');
    expect(jsonBody(result)).toEqual({
      user: { sub: 'erin', email: 'erin@example.test', name: 'Erin' },
      expires_at: expect.any(Number),
    });
  });

  it('accepts the same token as a Bearer token', async () => {
    const { token } = await storedSession(integration.store);
    const result = await sessionRequest({ headers: { authorization: `Bearer ${token}` } });
    expect(result.statusCode).toBe(200);
  });

  it('answers null for claims the IdP did not give', async () => {
    const { token } = await storedSession(integration.store, { email: undefined, name: undefined });
    const result = await sessionRequest({ headers: { authorization: `Bearer ${token}` } });
    expect(jsonBody(result).user).toEqual({ sub: 'erin', email: null, name: null });
  });

  it('leaves out the e-mail of a session stored before guichet checked email_verified: nobody verified it', async () => {
    const { token } = await storedSession(integration.store, { emailVerified: undefined });
    const result = await sessionRequest({ headers: { authorization: `Bearer ${token}` } });
    expect(jsonBody(result).user).toEqual({ sub: 'erin', email: null, name: 'Erin' });
  });

  it('refuses an expired session whose row still exists', async () => {
    const { token } = await storedSession(integration.store, { expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const result = await sessionRequest({ cookies: [`guichet_session=${token}`] });
    expect(result.statusCode).toBe(401);
    expect(result.headers!['WWW-Authenticate']).toBe('Bearer');
    expect(jsonBody(result).error).toBe('unauthenticated');
  });

  it.each([
    ['no credentials', {}],
    ['an unknown token', { cookies: ['guichet_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'] }],
    ['a malformed token', { headers: { authorization: 'Bearer not-a-token' } }],
    ['another scheme', { headers: { authorization: 'Basic Zm9vOmJhcg==' } }],
  ])('answers 401 for %s', async (_, init) => {
    expect((await sessionRequest(init)).statusCode).toBe(401);
  });
});
