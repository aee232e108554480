import { sha256 } from '../../../../lambdas/shared/crypto';
import { apiEvent } from '../../../support/api-event';
import { invoke, jsonBody, startIntegration, type Integration } from '../../../support/integration';

let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/auth/login').handler;

beforeAll(async () => {
  integration = await startIntegration();
  ({ handler } = await import('../../../../lambdas/handlers/auth/login'));
});
afterAll(() => integration?.guichet.close());

const login = (query: string) => invoke(handler, apiEvent({ path: '/auth/login', query }));

describe('GET /auth/login', () => {
  it('redirects to the IdP with PKCE S256, state and nonce, and stores only the hash of the state', async () => {
    const result = await login('returnTo=%2Fdashboard');
    expect(result.statusCode).toBe(302);
    const location = new URL(result.headers!.Location as string);
    expect(location.origin).toBe(integration.guichet.issuer);
    const state = location.searchParams.get('state')!;
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('scope')).toBe('openid email profile');
    expect(result.cookies).toEqual([expect.stringMatching(new RegExp(`^guichet_login_state=${state}; Path=/auth/callback; Max-Age=600; HttpOnly; SameSite=Lax$`))]);
    expect(result.headers!['Cache-Control']).toBe('no-store');

    const flow = await integration.store.get('loginFlows', sha256(state));
    expect(flow).toMatchObject({ flow: 'web', returnTo: '/dashboard', nonce: location.searchParams.get('nonce') });
    expect(Object.values(flow!)).not.toContain(state);
    expect(flow!.expiresAt).toBeGreaterThan(Date.now() / 1000);
  });

  it('defaults returnTo to /', async () => {
    const result = await login('');
    const state = new URL(result.headers!.Location as string).searchParams.get('state')!;
    expect((await integration.store.get('loginFlows', sha256(state)))?.returnTo).toBe('/');
  });

  it.each([
    ['a foreign origin', 'returnTo=https%3A%2F%2Fevil.example%2F'],
    ['a protocol-relative URL', 'returnTo=%2F%2Fevil.example'],
    ['a javascript: URL', 'returnTo=javascript%3Aalert(1)'],
    ['a repeated returnTo', 'returnTo=%2Fa&returnTo=%2Fb'],
  ])('refuses %s with 400, no redirect and nothing stored', async (_, query) => {
    const before = (await integration.store.all('loginFlows')).length;
    const result = await login(query);
    expect(result.statusCode).toBe(400);
    expect(result.headers!.Location).toBeUndefined();
    expect(jsonBody(result).error).toBe('invalid_request');
    expect(await integration.store.all('loginFlows')).toHaveLength(before);
  });
});
