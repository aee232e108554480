import { ADDIN_ORIGIN, ADDIN_SETTINGS, openAddin } from '../support/addins';
import { httpEvent } from '../support/api-event';
import { type FakeIdp, startFakeIdp } from '../support/fake-idp';
import { type Integration, invoke, jsonBody, startIntegration } from '../support/integration';
import { storedSession } from '../support/sessions';

/**
 * Issue 20, point 2: on https every guichet cookie is a `__Host-` cookie (Secure, Path=/, no Domain), which only
 * guichet's own host can set. Before, anyone able to set a cookie on the parent domain planted
 * `guichet_login_state=S` and sent the victim to `/auth/callback?code=<attacker's code>&state=S`: the victim was
 * signed in as the attacker. The handlers run here as deployed behind https.
 */
const PUBLIC_URL = 'https://auth.example.com';
let idp: FakeIdp;
let integration: Integration;
type Handler = Parameters<typeof invoke>[0];
const handlers: Record<string, Handler> = {};

beforeAll(async () => {
  idp = await startFakeIdp();
  integration = await startIntegration({
    GUICHET_PUBLIC_URL: PUBLIC_URL,
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: 'guichet',
    OIDC_CLIENT_SECRET: 'secret',
    ...ADDIN_SETTINGS,
  });
  for (const [name, path] of Object.entries({
    login: 'auth/login',
    callback: 'auth/callback',
    session: 'auth/session',
    logout: 'auth/logout',
    init: 'addins/sessions-init',
    poll: 'addins/sessions-poll',
  })) {
    handlers[name] = ((await import(`../../lambdas/handlers/${path}`)) as { handler: Handler }).handler;
  }
});
afterAll(async () => {
  await integration?.guichet.close();
  await idp?.close();
});

const HOST_ONLY = /; Path=\/; Max-Age=\d+; HttpOnly; SameSite=(Lax|None); Secure(; Partitioned)?$/;
const logoutWith = (token: string) =>
  invoke(handlers.logout, httpEvent({ method: 'POST', path: '/auth/logout', cookies: [`__Host-guichet_session=${token}`] }));

describe('on https, the login state', () => {
  it('is a __Host- cookie: Secure, Path=/, no Domain', async () => {
    const started = await invoke(handlers.login, httpEvent({ path: '/auth/login' }));
    const state = new URL(started.headers!.Location as string).searchParams.get('state');
    expect(started.cookies).toEqual([`__Host-guichet_login_state=${state}; Path=/; Max-Age=600; HttpOnly; SameSite=Lax; Secure`]);
  });

  it("planted under its plain name by a sibling subdomain, does not let the attacker's code in", async () => {
    const started = await invoke(handlers.login, httpEvent({ path: '/auth/login' }));
    const state = new URL(started.headers!.Location as string).searchParams.get('state')!;
    idp.requests.length = 0;
    const callback = await invoke(
      handlers.callback,
      httpEvent({
        path: '/auth/callback',
        query: new URLSearchParams({ code: "the attacker's code", state }).toString(),
        cookies: [`guichet_login_state=${state}`],
      }),
    );
    expect(callback.statusCode).toBe(400);
    expect(jsonBody(callback)).toEqual({ error: 'invalid_request', error_description: 'this login was not started in this browser' });
    expect(idp.requests).not.toContain('POST /token');
  });
});

describe('on https, the session cookie', () => {
  const sessionWith = (cookie: string) => invoke(handlers.session, httpEvent({ path: '/auth/session', cookies: [cookie] }));

  it('is read under its __Host- name only', async () => {
    const { token } = await storedSession(integration.store);
    expect((await sessionWith(`__Host-guichet_session=${token}`)).statusCode).toBe(200);
    expect((await sessionWith(`guichet_session=${token}`)).statusCode).toBe(401);
  });

  it('is cleared under its __Host- name by the logout', async () => {
    const { token } = await storedSession(integration.store);
    const result = await logoutWith(token);
    expect(result.statusCode).toBe(302);
    expect(result.cookies).toEqual(['__Host-guichet_session=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax; Secure']);
  });
});

describe("on https, the add-in's session cookie", () => {
  it('is a partitioned SameSite=None __Host- cookie, and the poll reads it under that name only', async () => {
    const init = await invoke(
      handlers.init,
      httpEvent({ method: 'POST', path: '/addons/sessions/init', headers: { origin: ADDIN_ORIGIN } }),
    );
    expect(init.cookies).toEqual([
      expect.stringMatching(/^__Host-guichet_addons_sid=[\w-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=None; Secure; Partitioned$/),
    ]);
    const addin = await openAddin(handlers.init);
    const poll = (cookie: string) =>
      invoke(
        handlers.poll,
        httpEvent({
          method: 'POST',
          path: '/addons/sessions/poll',
          cookies: [cookie],
          headers: { 'x-csrftoken': addin.csrfToken },
        }),
      );
    expect((await poll(`__Host-guichet_addons_sid=${addin.sessionId}`)).statusCode).toBe(202);
    expect((await poll(`guichet_addons_sid=${addin.sessionId}`)).statusCode).toBe(401);
  });
});

describe('every cookie guichet sets on https', () => {
  it('is host-only, Secure and on Path=/', async () => {
    const { token } = await storedSession(integration.store);
    const written = [
      ...((await invoke(handlers.login, httpEvent({ path: '/auth/login' }))).cookies ?? []),
      ...((await invoke(handlers.init, httpEvent({ method: 'POST', path: '/addons/sessions/init', headers: { origin: ADDIN_ORIGIN } })))
        .cookies ?? []),
      ...((await logoutWith(token)).cookies ?? []),
    ];
    expect(written).toHaveLength(3);
    for (const cookie of written) {
      expect(cookie).toMatch(/^__Host-/);
      expect(cookie).toMatch(HOST_ONLY);
    }
  });
});
