import { createRemoteJWKSet, jwtVerify } from 'jose';
import { publicSessionId } from '../../lambdas/domain/user-tokens';
import type { LocalGuichet } from '../../local/start';
import { ADDIN_ORIGIN, ADDIN_SETTINGS } from '../support/addins';
import { TestBrowser } from '../support/browser';
import { signInAtDevIdp } from '../support/dev-idp-login';
import { startTestGuichet, storeOf } from '../support/local-guichet';

let guichet: LocalGuichet;

beforeAll(async () => {
  guichet = await startTestGuichet(ADDIN_SETTINGS);
});
afterAll(() => guichet?.close());

/** The add-in: its own cookie jar (the add-in's iframe), init from its origin, and poll (with the code once it has it). */
async function openAddin() {
  const addin = new TestBrowser();
  const init = await addin.request(`${guichet.publicUrl}/addons/sessions/init`, { method: 'POST', headers: { origin: ADDIN_ORIGIN } });
  expect(init.status).toBe(201);
  const body = await init.json();
  const poll = (wait?: number, completion?: string) =>
    addin.request(`${guichet.publicUrl}/addons/sessions/poll${wait === undefined ? '' : `?wait=${wait}`}`, {
      method: 'POST',
      headers: { 'X-CSRFToken': body.csrf_token, ...(completion === undefined ? {} : { 'X-Guichet-Completion': completion }) },
    });
  return { addin, init, body, poll };
}

/** The dialog: signs in through the web login, then confirms on the callback page. */
async function completeInDialog(transitToken: string, username: string) {
  const dialog = new TestBrowser();
  const transitPage = await dialog.request(`${guichet.publicUrl}/addons/transit`);
  expect(transitPage.status).toBe(200);
  // What the transit page's script does: keep the token, then start the web login back to /addons/callback.
  const { callbackUrl } = await signInAtDevIdp(dialog, `${guichet.publicUrl}/auth/login?returnTo=%2Faddons%2Fcallback`, username);
  const callback = await dialog.request(callbackUrl.href);
  expect(callback.headers.get('location')).toBe('/addons/callback');
  // The dialog keeps its opener, the add-in's page, all the way to the confirmation page.
  expect(callback.headers.get('cross-origin-opener-policy')).toBe('unsafe-none');
  expect((await dialog.request(`${guichet.publicUrl}/addons/callback`)).status).toBe(200);
  // What the callback page's confirm button does.
  return dialog.request(`${guichet.publicUrl}/addons/sessions/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ transit_token: transitToken }),
  });
}

describe('Office add-in login', () => {
  it('delivers an RFC 9068 access token exactly once, against the completion code the confirmation answered', async () => {
    const { init, body, poll } = await openAddin();
    expect(body).toEqual({ transit_token: expect.any(String), csrf_token: expect.any(String), expires_in: 600, interval: 2 });
    const cookie = init.headers.getSetCookie().find((c) => c.startsWith('guichet_addons_sid='))!;
    for (const attribute of ['HttpOnly', 'Secure', 'SameSite=None', 'Partitioned']) expect(cookie).toContain(attribute);
    expect(init.headers.get('cache-control')).toBe('no-store');

    const pending = await poll();
    expect(pending.status).toBe(202);
    expect(await pending.json()).toEqual({ state: 'pending' });

    const exchanged = await completeInDialog(body.transit_token, 'mia');
    expect(exchanged.status).toBe(200);
    const { completion, ...answer } = await exchanged.json();
    expect(answer).toEqual({ status: 'ok', addin_origin: ADDIN_ORIGIN });

    const confirmed = await poll();
    expect(confirmed.status).toBe(202);
    expect(await confirmed.json()).toEqual({ state: 'confirmed' });

    const delivered = await poll(undefined, completion);
    expect(delivered.status).toBe(200);
    const token = await delivered.json();
    expect(token).toEqual({
      state: 'authenticated',
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: expect.any(Number),
      scope: 'addons',
    });

    const jwks = createRemoteJWKSet(new URL(`${guichet.publicUrl}/.well-known/jwks.json`));
    const { payload, protectedHeader } = await jwtVerify(token.access_token, jwks, {
      issuer: guichet.publicUrl,
      audience: `${guichet.publicUrl}/external-api`,
      typ: 'at+jwt',
      algorithms: ['RS256'],
    });
    expect(protectedHeader.kid).toEqual(expect.any(String));
    expect(payload).toMatchObject({ sub: 'mia', email: 'mia@example.test', scope: 'addons', client_id: 'guichet-addons' });
    expect(payload.jti).toEqual(expect.any(String));
    const webSession = (await storeOf(guichet).all('sessions')).find((session) => session.sub === 'mia')!;
    expect(payload.sid).toBe(publicSessionId(webSession.id as string));
    expect(payload.exp).toBeLessThanOrEqual(webSession.expiresAt as number);

    expect((await poll(undefined, completion)).status).toBe(404);
  });

  it('wakes a long poll when the dialog completes, which then answers confirmed', async () => {
    const { body, poll } = await openAddin();
    const held = poll(10);
    expect((await completeInDialog(body.transit_token, 'noah')).status).toBe(200);
    const woken = await held;
    expect(woken.status).toBe(202);
    expect(await woken.json()).toEqual({ state: 'confirmed' });
  });

  it('ends the add-in login when a poll presents a wrong completion code', async () => {
    const { body, poll } = await openAddin();
    const { completion } = await (await completeInDialog(body.transit_token, 'pia')).json();
    const wrong = await poll(undefined, `${completion.slice(0, 42)}${completion.endsWith('A') ? 'B' : 'A'}`);
    expect(wrong.status).toBe(400);
    expect((await wrong.json()).error).toBe('invalid_grant');
    expect((await poll(undefined, completion)).status).toBe(404);
  });

  it('answers a replayed transit token with 400 and evicts the add-in session', async () => {
    const { body, poll } = await openAddin();
    expect((await completeInDialog(body.transit_token, 'olga')).status).toBe(200);
    const replay = await completeInDialog(body.transit_token, 'mallory');
    expect(replay.status).toBe(400);
    expect((await poll()).status).toBe(404);
  });

  it("keeps the dialog's opener on the add-in login's answers only: a web login keeps guichet's same-origin policy", async () => {
    const coop = (response: Response) => response.headers.get('cross-origin-opener-policy');
    const page = await fetch(`${guichet.publicUrl}/addons/transit`);
    expect(coop(page)).toBe('unsafe-none');
    expect(coop(await fetch(`${guichet.publicUrl}/addons/callback`))).toBe('unsafe-none');
    const addinLogin = await new TestBrowser().request(`${guichet.publicUrl}/auth/login?returnTo=%2Faddons%2Fcallback`);
    expect(addinLogin.status).toBe(302);
    expect(coop(addinLogin)).toBe('unsafe-none');

    const web = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(web, `${guichet.publicUrl}/auth/login`, 'quinn');
    const webCallback = await web.request(callbackUrl.href);
    expect(webCallback.status).toBe(302);
    expect(coop(webCallback)).toBe('same-origin');
    expect(coop(await new TestBrowser().request(`${guichet.publicUrl}/auth/login`))).toBe('same-origin');
  });

  it('refuses an init without Origin, as a script would send it', async () => {
    const script = await fetch(`${guichet.publicUrl}/addons/sessions/init`, { method: 'POST' });
    expect(script.status).toBe(403);
    expect((await script.json()).error).toBe('access_denied');
  });
});
