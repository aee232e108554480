import { Metrics } from '@aws-lambda-powertools/metrics';
import { sha256 } from '../../../../lambdas/shared/crypto';
import { httpEvent } from '../../../support/api-event';
import { TestBrowser } from '../../../support/browser';
import { signInAtDevIdp } from '../../../support/dev-idp-login';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';

let integration: Integration;
let callback: typeof import('../../../../lambdas/handlers/auth/callback').handler;
let login: typeof import('../../../../lambdas/handlers/auth/login').handler;

beforeAll(async () => {
  integration = await startIntegration();
  ({ handler: callback } = await import('../../../../lambdas/handlers/auth/callback'));
  ({ handler: login } = await import('../../../../lambdas/handlers/auth/login'));
});
afterAll(() => integration?.guichet.close());

const callbackEvent = (query: string, state?: string) =>
  httpEvent({ path: '/auth/callback', query, cookies: state === undefined ? undefined : [`guichet_login_state=${state}`] });

/** A login flow stored by the real /auth/login handler; returns its state. */
async function startedLogin(): Promise<string> {
  const result = await invoke(login, httpEvent({ path: '/auth/login', query: 'returnTo=%2Fhome' }));
  return new URL(result.headers!.Location as string).searchParams.get('state')!;
}

describe('GET /auth/callback', () => {
  it('redeems the code, validates the ID token and stores a session under the hash of its token', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, `${integration.guichet.publicUrl}/auth/login?returnTo=%2Fhome`, 'dana');
    const state = callbackUrl.searchParams.get('state')!;

    const result = await invoke(callback, callbackEvent(callbackUrl.search.slice(1), state));

    expect(result.statusCode).toBe(302);
    expect(result.headers!.Location).toBe('/home');
    const token = result
      .cookies!.find((c) => c.startsWith('guichet_session='))!
      .split(';')[0]
      .split('=')[1];
    expect(token).toMatch(/^[\w-]{43}$/);
    expect(result.cookies).toContainEqual(expect.stringMatching(/^guichet_login_state=; Path=\/; Max-Age=0/));

    const session = await integration.store.get('sessions', sha256(token));
    const issuer = integration.guichet.issuer;
    expect(session).toMatchObject({
      flow: 'web',
      issuer,
      sub: 'dana',
      email: 'dana@example.test',
      emailVerified: true,
      subjectKey: JSON.stringify([issuer, 'dana']),
      idpSessionKey: JSON.stringify([issuer, session!.sid]),
    });
    expect(session!.sid).toEqual(expect.any(String));
    expect(session!.idToken).toEqual(expect.any(String));
    expect(JSON.stringify(session)).not.toContain(token);
    expect(await integration.store.get('loginFlows', sha256(state))).toBeUndefined();
  });

  it('keeps no e-mail that the IdP asserts as not verified (OpenID Connect Core §5.1)', async () => {
    const username = 'unverified:mallory@corp.example';
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, `${integration.guichet.publicUrl}/auth/login`, username);
    const result = await invoke(callback, callbackEvent(callbackUrl.search.slice(1), callbackUrl.searchParams.get('state')!));
    expect(result.statusCode).toBe(302);
    const token = result
      .cookies!.find((c) => c.startsWith('guichet_session='))!
      .split(';')[0]
      .split('=')[1];
    const session = (await integration.store.get('sessions', sha256(token)))!;
    expect(session).toMatchObject({ sub: username, name: 'mallory' });
    expect(session).not.toHaveProperty('email');
    expect(session).not.toHaveProperty('emailVerified');
  });

  it('lets exactly one of 20 simultaneous callbacks with the same state through', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, `${integration.guichet.publicUrl}/auth/login`, 'lena');
    const state = callbackUrl.searchParams.get('state')!;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => invoke(callback, callbackEvent(callbackUrl.search.slice(1), state))),
    );
    const statuses = results.map((result) => result.statusCode);
    expect(statuses.filter((status) => status === 302)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(19);
  });

  it('refuses a callback without state', async () => {
    const result = await invoke(callback, callbackEvent('code=abc'));
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result)).toEqual({ error: 'invalid_request', error_description: 'state is missing' });
  });

  it('refuses a state that does not match the browser cookie and leaves the flow untouched', async () => {
    const state = await startedLogin();
    const result = await invoke(callback, callbackEvent(`code=abc&state=${state}`));
    expect(result.statusCode).toBe(400);
    expect(await integration.store.get('loginFlows', sha256(state))).toBeDefined();
  });

  it('refuses an expired login flow even while its row still exists', async () => {
    const state = await startedLogin();
    const flow = (await integration.store.get('loginFlows', sha256(state)))!;
    await integration.store.put('loginFlows', { ...flow, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const sessionsBefore = (await integration.store.all('sessions')).length;

    const result = await invoke(callback, callbackEvent(`code=abc&state=${state}`, state));

    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error_description).toBe('the login took too long; start again');
    expect(await integration.store.all('sessions')).toHaveLength(sessionsBefore);
  });

  it('answers 403 access_denied when the person refused at the IdP', async () => {
    const state = await startedLogin();
    const query = new URLSearchParams({ error: 'access_denied', state, iss: integration.guichet.issuer });
    const result = await invoke(callback, callbackEvent(query.toString(), state));
    expect(result.statusCode).toBe(403);
    expect(jsonBody(result).error).toBe('access_denied');
  });

  it('counts a successful login and the session it created', async () => {
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, `${integration.guichet.publicUrl}/auth/login`, 'gus');
    await invoke(callback, callbackEvent(callbackUrl.search.slice(1), callbackUrl.searchParams.get('state')!));
    const counted = addMetric.mock.calls.map(([name]) => name);
    addMetric.mockRestore();
    expect(counted).toEqual(expect.arrayContaining(['SessionCreated', 'LoginSucceeded']));
    expect(counted).not.toContain('LoginFailed');
  });

  it('answers 400 invalid_grant for a forged code, burns the state and counts a failed login', async () => {
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    const state = await startedLogin();
    const query = new URLSearchParams({ code: 'forged', state, iss: integration.guichet.issuer });
    const result = await invoke(callback, callbackEvent(query.toString(), state));
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_grant');
    expect(await integration.store.get('loginFlows', sha256(state))).toBeUndefined();
    const counted = addMetric.mock.calls.map(([name]) => name);
    addMetric.mockRestore();
    expect(counted).toContain('LoginFailed');
    expect(counted).not.toContain('SessionCreated');
  });
});
