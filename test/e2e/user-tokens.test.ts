import { decodeJwt } from 'jose';
import { runApps } from '../../cli/run-apps';
import { accessTokenVerifier, InvalidAccessToken } from '../../lambdas/shared/access-token-verifier';
import { EXAMPLE_PRODUCT } from '../../local/example-product';
import { resourcesOfType } from '../../local/stack-template';
import type { LocalGuichet } from '../../local/start';
import { TestBrowser } from '../support/browser';
import { runCli } from '../support/cli-run';
import { logOutAtDevIdp, signInAtDevIdp } from '../support/dev-idp-login';
import { cliEnvironment, startTestGuichet } from '../support/local-guichet';
import { nativeLogin } from '../support/native-login';
import { exchangeSessionToken } from '../support/user-tokens';

let guichet: LocalGuichet;
/** The playground's second origin, which local mode lists in CORS_ORIGINS. */
let appOrigin: string;

beforeAll(async () => {
  guichet = await startTestGuichet();
  const [[, api]] = resourcesOfType(guichet.template, 'AWS::ApiGatewayV2::Api');
  [appOrigin] = (api.Properties!.CorsConfiguration as { AllowOrigins: string[] }).AllowOrigins;
});
afterAll(() => guichet?.close());

const exchangeSession = (sessionToken: string, form: Record<string, string> = {}) =>
  exchangeSessionToken(guichet.publicUrl, sessionToken, form);

/** The product's route behind API Gateway's JWT authorizer (the example product API of the stack). */
const productProfile = (accessToken: string) =>
  fetch(`${guichet.publicUrl}/example-product/profile`, { headers: { authorization: `Bearer ${accessToken}` } });

async function nativeSessionToken(user: string): Promise<string> {
  return (await nativeLogin(guichet.publicUrl, user)).sessionToken;
}

async function webSession(user: string): Promise<TestBrowser> {
  const browser = new TestBrowser();
  const { callbackUrl } = await signInAtDevIdp(browser, `${guichet.publicUrl}/auth/login`, user);
  await browser.request(callbackUrl.href);
  return browser;
}

describe('user tokens for product APIs, end to end', () => {
  it("a native app's session token becomes a JWT that the product API behind API Gateway's JWT authorizer accepts", async () => {
    const sessionToken = await nativeSessionToken('nadia');
    const exchanged = await exchangeSession(sessionToken, { audience: EXAMPLE_PRODUCT.audience, scope: EXAMPLE_PRODUCT.routeScope });
    expect(exchanged.status).toBe(200);
    const { access_token: accessToken, expires_in: expiresIn, issued_token_type: issuedType } = await exchanged.json();
    expect(issuedType).toBe('urn:ietf:params:oauth:token-type:access_token');
    expect(expiresIn).toBe(300);

    const profile = await productProfile(accessToken);
    expect(profile.status).toBe(200);
    expect(await profile.json()).toEqual({
      sub: 'nadia',
      email: 'nadia@example.test',
      sid: decodeJwt(accessToken).sid,
      scopes: [EXAMPLE_PRODUCT.routeScope],
    });
  });

  it('refuses an unlisted audience with invalid_target, and the product API refuses tokens for another audience or without its scope', async () => {
    const sessionToken = await nativeSessionToken('otto');
    const unlisted = await exchangeSession(sessionToken, { audience: 'https://api.elsewhere.example' });
    expect(unlisted.status).toBe(400);
    expect((await unlisted.json()).error).toBe('invalid_target');

    // A client-credentials token: guichet's own audience, not the product's.
    const created = await runCli(runApps, ['create', '--name', 'Wrong audience', '--json'], cliEnvironment(guichet));
    const { client_id: clientId, client_secret: clientSecret } = created.json<{ client_id: string; client_secret: string }>();
    await runCli(runApps, ['grant', clientId, EXAMPLE_PRODUCT.routeScope], cliEnvironment(guichet));
    const machine = await fetch(`${guichet.publicUrl}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    });
    const machineToken = (await machine.json()).access_token as string;
    const wrongAudience = await productProfile(machineToken);
    expect(wrongAudience.status).toBe(401);
    expect(await wrongAudience.json()).toEqual({ message: 'Unauthorized' });

    const notesOnly = await exchangeSession(sessionToken, { audience: EXAMPLE_PRODUCT.audience, scope: 'notes:write' });
    const withoutScope = await productProfile((await notesOnly.json()).access_token);
    expect(withoutScope.status).toBe(403);
    expect(await withoutScope.json()).toEqual({ message: 'Forbidden' });
    expect((await productProfile('')).status).toBe(401);
  });

  it("a web app's script on a listed origin turns the session cookie into a JWT; a cross-site form post cannot", async () => {
    const browser = await webSession('wanda');
    const userToken = (origin: string, headers: Record<string, string>) =>
      browser.request(`${guichet.publicUrl}/auth/token`, {
        method: 'POST',
        headers: { origin, 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ audience: EXAMPLE_PRODUCT.audience }),
      });

    const minted = await userToken(appOrigin, { 'x-requested-with': 'guichet' });
    expect(minted.status).toBe(200);
    expect(minted.headers.get('access-control-allow-origin')).toBe(appOrigin);
    const { access_token: accessToken, scope } = await minted.json();
    expect(scope).toBe(EXAMPLE_PRODUCT.scopes.join(' '));
    expect((await productProfile(accessToken)).status).toBe(200);

    expect((await userToken(new URL(guichet.publicUrl).origin, { 'x-requested-with': 'guichet' })).status).toBe(200);
    const formPost = await userToken(appOrigin, {});
    expect(formPost.status).toBe(403);
    expect((await formPost.json()).error).toBe('access_denied');
    expect((await userToken('http://evil.example', { 'x-requested-with': 'guichet' })).status).toBe(403);
  });

  it('a backend outside API Gateway checks the same token with jose against the JWKS', async () => {
    const sessionToken = await nativeSessionToken('bea');
    const { access_token: accessToken } = await (await exchangeSession(sessionToken, { audience: EXAMPLE_PRODUCT.audience })).json();
    const verify = accessTokenVerifier({ issuer: guichet.publicUrl, audience: EXAMPLE_PRODUCT.audience, requiredScope: 'notes:write' });
    const verified = await verify(`Bearer ${accessToken}`);
    expect(verified).toMatchObject({
      sub: 'bea',
      email: 'bea@example.test',
      clientId: 'guichet-session',
      scopes: EXAMPLE_PRODUCT.scopes,
      sid: expect.stringMatching(/^[\w-]{43}$/),
    });
    // The user's own token: nobody acts for bea.
    expect(verified.actor).toBeUndefined();
    const otherApi = accessTokenVerifier({ issuer: guichet.publicUrl, audience: `${guichet.publicUrl}/external-api` });
    await expect(otherApi(`Bearer ${accessToken}`)).rejects.toThrow(InvalidAccessToken);
  });

  it('after a back-channel logout the session mints nothing more, while a token already minted stays valid until it expires', async () => {
    const browser = await webSession('lou');
    const sessionToken = browser.cookie('guichet_session')!;
    const before = await exchangeSession(sessionToken, { audience: EXAMPLE_PRODUCT.audience });
    const { access_token: minted } = await before.json();

    await logOutAtDevIdp(browser, guichet.issuer);

    let after = await exchangeSession(sessionToken, { audience: EXAMPLE_PRODUCT.audience });
    for (let attempt = 0; attempt < 50 && after.status === 200; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      after = await exchangeSession(sessionToken, { audience: EXAMPLE_PRODUCT.audience });
    }
    expect(after.status).toBe(400);
    expect((await after.json()).error).toBe('invalid_grant');
    // Documented limit of self-contained tokens: a resource server that must cut sooner keeps the ended sids.
    expect((await productProfile(minted)).status).toBe(200);
  });

  it("tells the playground's product backend, whose logout endpoint local mode registers, which drops its own session", async () => {
    const browser = await webSession('mia');
    const exchanged = await exchangeSession(browser.cookie('guichet_session')!, { audience: EXAMPLE_PRODUCT.audience });
    const { access_token: minted } = await exchanged.json();
    const sid = decodeJwt(minted).sid;
    // The product's own backend (jose, outside API Gateway) accepts the token: it opens its session for that sid.
    const profile = await fetch(`${appOrigin}/api/profile`, { headers: { authorization: `Bearer ${minted}` } });
    expect(profile.status).toBe(200);
    type BackendState = { sessions: { sid: string }[]; logouts: { sid: string; dropped: boolean }[] };
    const backend = async () => (await (await fetch(`${appOrigin}/api/logouts`)).json()) as BackendState;
    expect((await backend()).sessions).toContainEqual(expect.objectContaining({ sid }));

    await logOutAtDevIdp(browser, guichet.issuer);
    let state = await backend();
    for (let attempt = 0; attempt < 100 && !state.logouts.some((logout) => logout.sid === sid); attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      state = await backend();
    }
    expect(state.logouts).toContainEqual(expect.objectContaining({ sid, sub: 'mia', dropped: true }));
    expect(state.sessions).not.toContainEqual(expect.objectContaining({ sid }));
  });
});
