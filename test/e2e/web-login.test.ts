import type { LocalGuichet } from '../../local/start';
import { TestBrowser } from '../support/browser';
import { signInAtDevIdp } from '../support/dev-idp-login';
import { startTestGuichet } from '../support/local-guichet';

let guichet: LocalGuichet;

beforeAll(async () => {
  guichet = await startTestGuichet();
});

afterAll(() => guichet?.close());

const loginUrl = (returnTo: string) => `${guichet.publicUrl}/auth/login?returnTo=${encodeURIComponent(returnTo)}`;

describe('web login through the development IdP', () => {
  it('logs in with state, PKCE and nonce, reads the session, and logs out', async () => {
    const browser = new TestBrowser();
    const { authorizationRequest, callbackUrl } = await signInAtDevIdp(browser, loginUrl('/welcome'), 'alice');

    expect(authorizationRequest.origin).toBe(guichet.issuer);
    const params = authorizationRequest.searchParams;
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(params.get('nonce')).toMatch(/^[\w-]{43}$/);
    expect(params.get('redirect_uri')).toBe(`${guichet.publicUrl}/auth/callback`);
    expect(callbackUrl.searchParams.get('state')).toBe(params.get('state'));

    const callback = await browser.request(callbackUrl.href);
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/welcome');
    const sessionCookie = callback.headers.getSetCookie().find((c) => c.startsWith('guichet_session='))!;
    expect(sessionCookie).toMatch(/HttpOnly/);
    expect(sessionCookie).toMatch(/SameSite=Lax/);
    expect(sessionCookie).toMatch(/Path=\//);
    expect(sessionCookie).not.toMatch(/Secure/); // http://127.0.0.1 in local mode

    const session = await browser.request(`${guichet.publicUrl}/auth/session`);
    expect(session.status).toBe(200);
    expect(session.headers.get('cache-control')).toBe('no-store');
    const body = await session.json();
    expect(body.user).toEqual({ sub: 'alice', email: 'alice@example.test', name: 'alice' });
    expect(body.expires_at).toBeGreaterThan(Date.now() / 1000 + 43000);

    const bearer = await fetch(`${guichet.publicUrl}/auth/session`, {
      headers: { authorization: `Bearer ${browser.cookie('guichet_session')}` },
    });
    expect(bearer.status).toBe(200);

    const logout = await browser.request(`${guichet.publicUrl}/auth/logout`, { method: 'POST' });
    expect(logout.status).toBe(302);
    const endSession = new URL(logout.headers.get('location')!);
    expect(endSession.origin).toBe(guichet.issuer);
    expect(endSession.searchParams.get('id_token_hint')).toBeTruthy();
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${guichet.publicUrl}/`);
    expect(browser.cookie('guichet_session')).toBeUndefined();

    const afterLogout = await fetch(`${guichet.publicUrl}/auth/session`, {
      headers: { authorization: `Bearer ${sessionCookie.split(';')[0].split('=')[1]}` },
    });
    expect(afterLogout.status).toBe(401);
  });

  it('refuses a replayed state', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, loginUrl('/'), 'bob');
    const stateCookie = browser.cookie('guichet_login_state')!;
    expect((await browser.request(callbackUrl.href)).status).toBe(302);

    browser.setCookie('guichet_login_state', stateCookie, '/auth/callback');
    const replay = await browser.request(callbackUrl.href);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ error: 'invalid_request', error_description: 'unknown or already used state' });
  });

  it('refuses a tampered state and keeps the real one usable', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, loginUrl('/'), 'carol');
    const state = callbackUrl.searchParams.get('state')!;
    const tampered = new URL(callbackUrl);
    tampered.searchParams.set('state', `${state.startsWith('A') ? 'B' : 'A'}${state.slice(1)}`);
    browser.setCookie('guichet_login_state', tampered.searchParams.get('state')!, '/auth/callback');
    const refused = await browser.request(tampered.href);
    expect(refused.status).toBe(400);
    expect((await refused.json()).error).toBe('invalid_request');

    browser.setCookie('guichet_login_state', state, '/auth/callback');
    expect((await browser.request(callbackUrl.href)).status).toBe(302);
  });

  it('refuses a callback in a browser that did not start the login (login CSRF)', async () => {
    const attacker = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(attacker, loginUrl('/'), 'mallory');
    const victim = new TestBrowser();
    const response = await victim.request(callbackUrl.href);
    expect(response.status).toBe(400);
    expect(victim.cookie('guichet_session')).toBeUndefined();
  });

  it('refuses a foreign returnTo without redirecting', async () => {
    const response = await fetch(loginUrl('https://evil.example/'), { redirect: 'manual' });
    expect(response.status).toBe(400);
    expect(response.headers.get('location')).toBeNull();
    expect((await response.json()).error).toBe('invalid_request');
  });

  it('refuses a forged session cookie', async () => {
    const response = await fetch(`${guichet.publicUrl}/auth/session`, {
      headers: { cookie: 'guichet_session=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' },
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ error: 'unauthenticated', error_description: 'no live session' });
  });
});
