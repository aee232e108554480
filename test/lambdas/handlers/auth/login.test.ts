import { sha256 } from '../../../../lambdas/shared/crypto';
import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';

let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/auth/login').handler;

beforeAll(async () => {
  integration = await startIntegration();
  ({ handler } = await import('../../../../lambdas/handlers/auth/login'));
});
afterAll(() => integration?.guichet.close());

const login = (query: string) => invoke(handler, httpEvent({ path: '/auth/login', query }));

describe('GET /auth/login', () => {
  it('redirects to the IdP with PKCE S256, state and nonce, and stores only the hash of the state', async () => {
    const result = await login('returnTo=%2Fdashboard');
    expect(result.statusCode).toBe(302);
    const location = new URL(result.headers!.Location as string);
    expect(location.origin).toBe(integration.guichet.issuer);
    const state = location.searchParams.get('state')!;
    expect(location.searchParams.get('code_challenge_method')).toBe('S256');
    expect(location.searchParams.get('scope')).toBe('openid email profile');
    expect(result.cookies).toEqual([`guichet_login_state=${state}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax`]);
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

  it('stores a returnTo that is not ASCII percent-encoded, so the callback can redirect to it', async () => {
    const result = await login('returnTo=%2F%C4%80');
    const state = new URL(result.headers!.Location as string).searchParams.get('state')!;
    expect((await integration.store.get('loginFlows', sha256(state)))?.returnTo).toBe('/%C4%80');
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

describe('GET /auth/login for a native app', () => {
  const challenge = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
  const nativeQuery = (returnTo: string, extra = `&code_challenge=${challenge}&code_challenge_method=S256`) =>
    `returnTo=${encodeURIComponent(returnTo)}${extra}`;

  it("stores the app's challenge and state with the flow", async () => {
    const result = await login(nativeQuery('visio://auth/done', `&code_challenge=${challenge}&code_challenge_method=S256&state=app-42`));
    expect(result.statusCode).toBe(302);
    const state = new URL(result.headers!.Location as string).searchParams.get('state')!;
    expect(await integration.store.get('loginFlows', sha256(state))).toMatchObject({
      flow: 'native',
      returnTo: 'visio://auth/done',
      appCodeChallenge: challenge,
      appState: 'app-42',
    });
  });

  it('accepts an allowed scheme in any letter case', async () => {
    expect((await login(nativeQuery('VISIO://auth'))).statusCode).toBe(302);
  });

  it.each([
    ['javascript:', 'javascript:alert(document.cookie)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['file:', 'file:///etc/passwd'],
    ['a scheme not in the list', 'otherapp://auth'],
    ['user information', 'visio://user:pass@auth'],
    ['a fragment', 'visio://auth#frag'],
    ['whitespace', 'visio://auth path'],
  ])('refuses a returnTo with %s: 400, no redirect, nothing stored', async (_, returnTo) => {
    const before = (await integration.store.all('loginFlows')).length;
    const result = await login(nativeQuery(returnTo));
    expect(result.statusCode).toBe(400);
    expect(result.headers!.Location).toBeUndefined();
    expect(await integration.store.all('loginFlows')).toHaveLength(before);
  });

  it.each([
    ['no code_challenge', '&code_challenge_method=S256'],
    ['the plain method', `&code_challenge=${challenge}&code_challenge_method=plain`],
    ['no method (plain by default)', `&code_challenge=${challenge}`],
    ['a malformed challenge', '&code_challenge=short&code_challenge_method=S256'],
    ['an oversized app state', `&code_challenge=${challenge}&code_challenge_method=S256&state=${'x'.repeat(513)}`],
  ])('refuses a native login with %s', async (_, extra) => {
    const result = await login(nativeQuery('visio://auth', extra));
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_request');
  });
});
