import { decodeJwt } from 'jose';
import { sha256 } from '../../lambdas/shared/crypto';
import { EXAMPLE_PRODUCT } from '../../local/example-product';
import { resourcesOfType } from '../../local/stack-template';
import type { LocalGuichet } from '../../local/start';
import { TestBrowser } from '../support/browser';
import { signInAtDevIdp } from '../support/dev-idp-login';
import { startTestGuichet, storeOf } from '../support/local-guichet';
import { nativeLoginRedirect } from '../support/native-login';
import { pkcePair } from '../support/pkce';
import { exchangeSessionToken } from '../support/user-tokens';

/**
 * OpenID Connect Core §5.1: an e-mail address is the person's only when the IdP says `email_verified: true`. The
 * development IdP asserts `email_verified: false` for `unverified:<address>`, as an IdP where people set their own
 * address would: that person gets no e-mail anywhere guichet answers or mints. A verified user, for contrast, does.
 */
let guichet: LocalGuichet;
/** A page origin listed in CORS_ORIGINS, where an add-in runs (local mode lists the playground's second origin). */
let addinOrigin: string;

beforeAll(async () => {
  guichet = await startTestGuichet();
  const [[, api]] = resourcesOfType(guichet.template, 'AWS::ApiGatewayV2::Api');
  [addinOrigin] = (api.Properties!.CorsConfiguration as { AllowOrigins: string[] }).AllowOrigins;
}, 60_000);
afterAll(() => guichet?.close());

const url = (path: string) => `${guichet.publicUrl}${path}`;
const json = (body: unknown, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
});

async function webLogin(username: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  const { callbackUrl } = await signInAtDevIdp(browser, url('/auth/login'), username);
  expect((await browser.request(callbackUrl.href)).status).toBe(302);
  return browser;
}

/** The e-mail claim of the user token a web app gets for the session (`POST /auth/token`). */
async function userTokenEmail(web: TestBrowser): Promise<unknown> {
  const scripted = { origin: new URL(guichet.publicUrl).origin, 'x-requested-with': 'guichet' };
  const minted = await web.request(url('/auth/token'), json({ audience: EXAMPLE_PRODUCT.audience }, scripted));
  expect(minted.status).toBe(200);
  return decodeJwt((await minted.json()).access_token).email;
}

/** The e-mail claim of the add-in token the person's web session confirms. */
async function addinTokenEmail(web: TestBrowser): Promise<unknown> {
  const addin = new TestBrowser();
  const init = await addin.request(url('/addons/sessions/init'), json({ addin_name: 'Mail' }, { origin: addinOrigin }));
  expect(init.status).toBe(201);
  const { transit_token: transitToken, csrf_token: csrf } = await init.json();
  const confirmed = await web.request(url('/addons/sessions/exchange'), json({ transit_token: transitToken }));
  expect(confirmed.status).toBe(200);
  const { completion } = (await confirmed.json()) as { completion?: string };
  const poll = await addin.request(url('/addons/sessions/poll'), {
    method: 'POST',
    headers: { 'X-CSRFToken': csrf, origin: addinOrigin, ...(completion === undefined ? {} : { 'X-Guichet-Completion': completion }) },
  });
  expect(poll.status).toBe(200);
  return decodeJwt((await poll.json()).access_token).email;
}

/** The user of the session a native app gets through the confirmation page and the exchange, and its user token. */
async function nativeSession(username: string): Promise<{ user: { email: unknown }; userTokenEmail: unknown }> {
  const { verifier, challenge } = pkcePair();
  const code = (await nativeLoginRedirect(new TestBrowser(), guichet.publicUrl, username, { challenge })).searchParams.get('code');
  const exchanged = await fetch(url('/auth/session-exchange'), json({ code, code_verifier: verifier }));
  expect(exchanged.status).toBe(200);
  const { session_token: token, user } = await exchanged.json();
  const minted = await exchangeSessionToken(guichet.publicUrl, token, { audience: EXAMPLE_PRODUCT.audience });
  expect(minted.status).toBe(200);
  return { user, userTokenEmail: decodeJwt((await minted.json()).access_token).email };
}

describe('e-mail addresses only when the IdP verified them', () => {
  it.each([
    ['email_verified: false', 'unverified:ceo@victim.example', undefined],
    ['email_verified: true', 'ceo@victim.example', 'ceo@victim.example'],
  ])('a person the IdP asserts %s for: the e-mail in the session, /auth/session and every token', async (_, username, email) => {
    const web = await webLogin(username);

    const record = await storeOf(guichet).get('sessions', sha256(web.cookie('guichet_session')!));
    expect(record?.email).toBe(email);
    const session = await (await web.request(url('/auth/session'))).json();
    expect(session.user).toEqual({ sub: username, email: email ?? null, name: 'ceo' });

    expect(await userTokenEmail(web)).toBe(email);
    expect(await addinTokenEmail(web)).toBe(email);

    const native = await nativeSession(username);
    expect(native.user.email).toBe(email ?? null);
    expect(native.userTokenEmail).toBe(email);
  });
});
