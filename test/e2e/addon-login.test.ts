import { createRemoteJWKSet, jwtVerify } from 'jose';
import type { LocalGuichet } from '../../local/start';
import { startTestGuichet } from '../support/local-guichet';
import { TestBrowser } from '../support/browser';
import { signInAtDevIdp } from '../support/dev-idp-login';

let guichet: LocalGuichet;

beforeAll(async () => {
  guichet = await startTestGuichet();
});
afterAll(() => guichet?.close());

/** The add-in: its own cookie jar (the add-in's iframe), init and poll. */
async function openAddin() {
  const addin = new TestBrowser();
  const init = await addin.request(`${guichet.publicUrl}/addons/sessions/init`, { method: 'POST' });
  expect(init.status).toBe(201);
  const body = await init.json();
  const poll = (wait?: number) =>
    addin.request(`${guichet.publicUrl}/addons/sessions/poll${wait === undefined ? '' : `?wait=${wait}`}`, {
      method: 'POST',
      headers: { 'X-CSRFToken': body.csrf_token },
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
  expect((await dialog.request(`${guichet.publicUrl}/addons/callback`)).status).toBe(200);
  // What the callback page's confirm button does.
  return dialog.request(`${guichet.publicUrl}/addons/sessions/exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ transit_token: transitToken }),
  });
}

describe('Office add-in login', () => {
  it('delivers an RFC 9068 access token exactly once after the dialog confirms', async () => {
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
    expect(await exchanged.json()).toEqual({ status: 'ok' });

    const delivered = await poll();
    expect(delivered.status).toBe(200);
    const token = await delivered.json();
    expect(token).toEqual({ state: 'authenticated', access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, scope: 'addons' });

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

    expect((await poll()).status).toBe(404);
  });

  it('holds a long poll until the dialog completes', async () => {
    const { body, poll } = await openAddin();
    const started = Date.now();
    const held = poll(10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await completeInDialog(body.transit_token, 'noah')).status).toBe(200);
    const delivered = await held;
    expect(delivered.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(8000);
  });

  it('answers a replayed transit token with 400 and evicts the add-in session', async () => {
    const { body, poll } = await openAddin();
    expect((await completeInDialog(body.transit_token, 'olga')).status).toBe(200);
    const replay = await completeInDialog(body.transit_token, 'mallory');
    expect(replay.status).toBe(400);
    expect((await poll()).status).toBe(404);
  });
});
