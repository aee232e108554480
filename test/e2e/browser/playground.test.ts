import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, FrameLocator, Page, Route } from 'playwright-core';
import { runApps } from '../../../cli/run-apps';
import type { LocalGuichet } from '../../../local/start';
import { type CspViolation, launchChromium, loopbackOnlyContext, recordCspViolations } from '../../support/chromium';
import { runCli } from '../../support/cli-run';
import { cliEnvironment, startTestGuichet } from '../../support/local-guichet';

/**
 * The local playground (`npm start`'s page at `/`) in a real browser, clicked through as a newcomer would:
 * each section in turn, signing in at the development IdP, under the page's own strict CSP, including what goes
 * wrong (an expired exchange code, a cancelled add-in sign-in, guichet answering 503 or not at all). The sections
 * build on each other (one browser, one IdP session), so the tests run in order. Screenshots go to
 * test/artifacts/playground-*.png and dev-idp-*.png.
 */
const ARTIFACTS = path.join(__dirname, '..', '..', 'artifacts');
const USER = 'ada';
/** Short, so that the test can watch a code expire; the page still says the default, 30 s. */
const EXCHANGE_CODE_TTL_SECONDS = 6;
const HUMAN_TIME = String.raw`\d{4}-\d\d-\d\d \d\d:\d\d UTC`;

let guichet: LocalGuichet;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let blocked: string[];
let violations: CspViolation[];
const pageErrors: string[] = [];

beforeAll(async () => {
  guichet = await startTestGuichet({ EXCHANGE_CODE_TTL_SECONDS: String(EXCHANGE_CODE_TTL_SECONDS) });
  browser = await launchChromium();
  ({ context, blocked } = await loopbackOnlyContext(browser));
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  violations = await recordCspViolations(context);
  context.on('page', (opened) => opened.on('pageerror', (error) => pageErrors.push(`${opened.url()}: ${error.message}`)));
  page = await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await guichet?.close();
});

const output = (section: string) => page.locator(`#${section}-output`);
const outputText = async (section: string) => (await output(section).textContent()) ?? '';

/** Waits until a section's output reaches `state` (its data-state attribute), the way its script marks it. */
async function waitForState(section: string, state: string, timeout = 10_000): Promise<string> {
  await page.locator(`#${section}-output[data-state="${state}"]`).waitFor({ timeout });
  return outputText(section);
}

async function screenshot(section: string, name = section): Promise<void> {
  await page.locator(`#${section}`).screenshot({ path: path.join(ARTIFACTS, `playground-${name}.png`) });
}

/** The product frame, scrolled to its add-in's output (an element inside a frame is cut at the frame's edge). */
async function frameScreenshot(app: FrameLocator, name: string): Promise<void> {
  await app.locator('#addin-output').scrollIntoViewIfNeeded();
  await page.locator('#app-frame').screenshot({ path: path.join(ARTIFACTS, `playground-${name}.png`) });
}

/** Clicks a link that opens a new window and returns that window. */
async function openWindow(selector: string, from: Page | FrameLocator = page): Promise<Page> {
  const [opened] = await Promise.all([context.waitForEvent('page'), from.locator(selector).click()]);
  return opened;
}

/** Plays the person on the development IdP's login page. */
async function signInAtIdp(at: Page, username: string): Promise<void> {
  await at.waitForURL((url) => url.origin === guichet.issuer && url.pathname.startsWith('/interaction/'));
  await at.locator('input[name="username"]').fill(username);
  await at.locator('form button[type="submit"]').click();
}

/** Plays the person on the development IdP's "sign out?" page. */
async function confirmLogoutAtIdp(at: Page): Promise<void> {
  await at.waitForURL((url) => url.origin === guichet.issuer && url.pathname.startsWith('/session/end'));
  await at.locator('button[name="logout"][value="yes"]').click();
}

/** The words of a development IdP page, on one line. */
async function idpPageText(at: Page): Promise<string> {
  return ((await at.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
}

/** What the Copy button next to a shortened secret put on the clipboard (read by the playground page). */
async function copySecret(where: Page | FrameLocator, section: string, secret: string): Promise<string> {
  const button = where.locator(`#${section}-secrets button.copy[data-secret="${secret}"]`);
  await button.click();
  await where.locator(`#${section}-secrets button.copy[data-secret="${secret}"]:text("Copied")`).waitFor();
  return page.evaluate(() => navigator.clipboard.readText());
}

/** guichet answering 503, as it does when a table or a secret cannot be reached, with CORS for the app origin. */
async function answer503(route: Route): Promise<void> {
  const origin = route.request().headers().origin;
  await route.fulfill({
    status: 503,
    contentType: 'application/json',
    headers: {
      'Retry-After': '5',
      ...(origin ? { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' } : {}),
    },
    body: JSON.stringify({ error: 'temporarily_unavailable', error_description: 'the sessions table cannot be reached' }),
  });
}

describe('the local playground in Chromium', () => {
  it("serves a static page under a strict CSP, labelled as local, whose logins start on guichet's own origin", async () => {
    const response = await page.goto(`${guichet.publicUrl}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.title()).toBe('guichet — local playground');
    expect(await page.locator('header').textContent()).toContain('never deployed');
    await page.locator(`#idp:text("${guichet.issuer}")`).waitFor();
    expect(await page.locator('#web-login').getAttribute('href')).toBe(`${guichet.publicUrl}/auth/login?returnTo=/`);
    expect(await page.locator('#web-logout-form').getAttribute('action')).toBe(`${guichet.publicUrl}/auth/logout`);
    expect(await page.locator('#wrong-host').isHidden()).toBe(true);
  }, 10_000);

  it('1. web login: logs in at the IdP, shows the session, logs out through guichet and back in', async () => {
    expect(await waitForState('web', 'signed-out')).toContain('GET /auth/session → 401');

    await page.locator('#web-login').click();
    // The development IdP's login page says what it is and who sent the person there.
    await page.waitForURL((url) => url.origin === guichet.issuer && url.pathname.startsWith('/interaction/'));
    expect(await page.title()).toBe('Development IdP — any user name signs in');
    expect(await page.locator('h1').textContent()).toBe('Development IdP — any user name signs in');
    const idpText = await idpPageText(page);
    expect(idpText).toContain('guichet (client guichet-local) sent you here to sign in');
    expect(idpText).toContain(`${guichet.publicUrl}/auth/callback`);
    expect(idpText).not.toContain('prompt');
    await page.screenshot({ path: path.join(ARTIFACTS, 'dev-idp-login.png') });
    await signInAtIdp(page, USER);
    await page.waitForURL(`${guichet.publicUrl}/`);
    let text = await waitForState('web', 'signed-in');
    expect(text).toContain(`Signed in as ${USER} <${USER}@example.test>`);
    expect(text).toContain('GET /auth/session → 200');
    expect(text).toMatch(new RegExp(String.raw`"expires_at": \d{10} \(in 12 h, ${HUMAN_TIME}\)\n`));

    // The logout button posts to /auth/logout, which ends the session and sends the browser to the IdP.
    await page.locator('#web-logout').click();
    await page.waitForURL((url) => url.origin === guichet.issuer && url.pathname.startsWith('/session/end'));
    expect(await idpPageText(page)).toContain('guichet has ended its own session and asks whether to sign you out of this IdP too');
    expect(await idpPageText(page)).toContain(`You are signed in here as ${USER}.`);
    await page.screenshot({ path: path.join(ARTIFACTS, 'dev-idp-logout.png') });
    await confirmLogoutAtIdp(page);
    await page.waitForURL(`${guichet.publicUrl}/`);
    expect(await waitForState('web', 'signed-out')).toContain('Not signed in.');

    await page.locator('#web-login').click();
    await signInAtIdp(page, USER);
    await page.waitForURL(`${guichet.publicUrl}/`);
    text = await waitForState('web', 'signed-in');
    expect(text).toContain(`"sub": "${USER}"`);
    await screenshot('web');
  }, 15_000);

  it('1. a session check that fails is shown as what it is, never as "Not signed in."', async () => {
    await page.route(`${guichet.publicUrl}/auth/session`, answer503);
    await page.locator('#web-refresh').click();
    let text = await waitForState('web', 'failed');
    expect(text).toContain(
      'Could not check the session: guichet answered 503 temporarily_unavailable: the sessions table cannot be reached.',
    );
    expect(text).toContain('Refresh to try again (guichet suggests waiting 5 s: Retry-After).');
    expect(text).not.toContain('Not signed in');
    await screenshot('web', 'web-503');

    await page.unroute(`${guichet.publicUrl}/auth/session`);
    await page.route(`${guichet.publicUrl}/auth/session`, (route) => route.abort('connectionrefused'));
    await page.locator('#web-refresh').click();
    await page.locator('#web-output:text("guichet could not be reached")').waitFor();
    text = await outputText('web');
    expect(await output('web').getAttribute('data-state')).toBe('failed');
    expect(text).not.toContain('Not signed in');

    await page.unroute(`${guichet.publicUrl}/auth/session`);
    await page.locator('#web-refresh').click();
    expect(await waitForState('web', 'signed-in')).toContain('GET /auth/session → 200');
  }, 10_000);

  it('2. native app: an expired exchange code is a failure, with the reason and a way to start again', async () => {
    await page.locator('#native-start').click();
    await page.locator('#native-open').waitFor({ state: 'visible' });
    expect(await outputText('native')).toMatch(/code_challenge = [\w-]{43}\n/);
    expect(await page.locator('#native-open').getAttribute('href')).toMatch(
      new RegExp(
        `^${guichet.publicUrl.replace(/\./g, '\\.')}/auth/login\\?returnTo=visio%3A%2F%2Fplayground&code_challenge=[\\w-]{43}&code_challenge_method=S256&state=[\\w-]{43}$`,
      ),
    );

    // The "system browser" shares the IdP session of section 1: single sign-on, no login form, and both the
    // handed-over page and the section say so. guichet's confirmation page is the one step that asks.
    const systemBrowser = await openWindow('#native-open');
    await systemBrowser.waitForURL((url) => url.href.startsWith(`${guichet.publicUrl}/auth/callback?`));
    expect(await systemBrowser.title()).toBe('Continue to the app?');
    const confirmationText = ((await systemBrowser.locator('main').textContent()) ?? '').replace(/\s+/g, ' ');
    expect(confirmationText).toContain(`You are signed in as ${USER} (${USER}@example.test).`);
    expect(confirmationText).toContain('An app that opens visio: links asks to use this sign-in.');
    expect(confirmationText).toContain('If you did not, close this page: the app gets nothing.');
    expect(await waitForState('native', 'waiting')).not.toContain('The app received');
    await systemBrowser.screenshot({ path: path.join(ARTIFACTS, 'playground-native-confirmation.png') });
    await systemBrowser.locator('#confirm').click();
    await systemBrowser.waitForURL(`${guichet.publicUrl}/playground/native/handed-over`);
    expect(await systemBrowser.locator('h1').textContent()).toContain('Handed over to the app');
    expect(await systemBrowser.locator('#single-sign-on').textContent()).toMatch(
      /No login form\?[\s\S]*single sign-on[\s\S]*log out at the IdP \(section 5/,
    );
    await systemBrowser.screenshot({ path: path.join(ARTIFACTS, 'playground-handed-over.png') });
    await systemBrowser.close();

    const received = await waitForState('native', 'received');
    const receivedAt = Date.now();
    // The code is shown shortened; the state is the app's own, not a secret.
    expect(received).toMatch(/The app received:\nvisio:\/\/playground\?code=[\w-]{8}…\(43 chars\)&state=[\w-]{43}\n/);
    expect(received).toContain('an exchange code lives 30 s by default and can be used once');
    expect(received).toMatch(
      /No login form\? The redirect came back [\d.]+ s after the system browser opened[\s\S]*single sign-on[\s\S]*log out at the IdP \(section 5\)/,
    );
    const code = await copySecret(page, 'native', 'exchange code');
    expect(code).toMatch(/^[\w-]{43}$/);
    expect(received).toContain(`code=${code.slice(0, 8)}…(43 chars)`);

    await page.waitForTimeout(Math.max(0, receivedAt + EXCHANGE_CODE_TTL_SECONDS * 1000 + 1000 - Date.now()));
    await page.locator('#native-exchange').click();
    const failed = await waitForState('native', 'failed');
    expect(failed).toContain('✗ The exchange failed: guichet answered 400 invalid_grant');
    expect(failed).toContain('An exchange code lives 30 s by default (EXCHANGE_CODE_TTL_SECONDS) and is single use');
    expect(failed).toContain('Make a new PKCE pair and open the system browser again.');
    expect(failed).not.toContain('session_token');
    expect(await page.locator('#native-start').textContent()).toBe('Make a new PKCE pair and start again');
    expect(await page.locator('#native-output').evaluate((element) => getComputedStyle(element).borderLeftColor)).toBe('rgb(198, 40, 40)');
    await screenshot('native', 'native-expired');
  }, 20_000);

  it('2. native app: starts again, continues, receives visio://playground?code=… and exchanges it at once', async () => {
    await page.locator('#native-start').click();
    await waitForState('native', 'waiting');
    const systemBrowser = await openWindow('#native-open');
    await systemBrowser.locator('#confirm').click();
    await systemBrowser.waitForURL(`${guichet.publicUrl}/playground/native/handed-over`);
    await systemBrowser.close();
    await waitForState('native', 'received');

    await page.locator('#native-exchange').click();
    const text = await waitForState('native', 'signed-in');
    expect(text).toContain('POST /auth/session-exchange {"code", "code_verifier"} → 200');
    expect(text).toMatch(/"session_token": "[\w-]{8}…\(43 chars\)"/);
    expect(text).toContain('"token_type": "Bearer"');
    expect(text).toMatch(/"expires_in": \d+ \(12 h\)/);
    expect(text).toContain('GET /auth/session with Authorization: Bearer <session_token> → 200');
    expect(text).toContain(`"email": "${USER}@example.test"`);
    expect(await page.locator('#native-secrets').textContent()).toMatch(/^session_token [\w-]{8}…\(43 chars\) Copy$/);
    await screenshot('native');
  }, 15_000);

  it('2. native app: exchanges its session token for a user token, which the product API behind API Gateway accepts', async () => {
    await page.locator('#native-user-token:not([disabled])').click();
    const text = await waitForState('native', 'called');
    expect(text).toContain('POST /oauth/token grant_type=token-exchange, audience=https://api.product.example, scope=profile:read → 200');
    expect(text).toContain('"issued_token_type": "urn:ietf:params:oauth:token-type:access_token"');
    expect(text).toContain('"expires_in": 300 (5 min)');
    expect(text).toContain('"client_id": "guichet-session"');
    expect(text).toContain('GET /example-product/profile with Authorization: Bearer <user token> → 200');
    expect(text).toContain(`"sub": "${USER}"`);
    expect(await page.locator('#native-secrets').textContent()).toContain('user token');
    await screenshot('native', 'native-user-token');
  }, 15_000);

  it('3. a product on its own origin: its web app reads the session and tells a failure from "not signed in"', async () => {
    const app = page.frameLocator('#app-frame');
    const frameState = async (section: string, state: string) => {
      await app.locator(`#${section}-output[data-state="${state}"]`).waitFor({ timeout: 10_000 });
      return (await app.locator(`#${section}-output`).textContent()) ?? '';
    };
    await app.locator('#webapp-check').click();
    expect(await frameState('webapp', 'signed-in')).toContain('GET /auth/session (credentials: include) → 200');

    await page.route(`${guichet.publicUrl}/auth/session`, answer503);
    await app.locator('#webapp-check').click();
    const text = await frameState('webapp', 'failed');
    expect(text).toContain(
      'Could not check the session: guichet answered 503 temporarily_unavailable: the sessions table cannot be reached.',
    );
    expect(text).not.toContain('Not signed in');
    await page.unroute(`${guichet.publicUrl}/auth/session`);
    await app.locator('#webapp-check').click();
    await frameState('webapp', 'signed-in');
  }, 10_000);

  it("3. its web app gets a user token with the session cookie and calls the product's API through API Gateway and its own backend", async () => {
    const app = page.frameLocator('#app-frame');
    await app.locator('#product-call').click();
    await app.locator('#product-output[data-state="called"]').waitFor({ timeout: 10_000 });
    const text = (await app.locator('#product-output').textContent()) ?? '';
    expect(text).toContain(
      'POST /auth/token {"audience": "https://api.product.example"} (credentials: include, X-Requested-With: guichet) → 200',
    );
    expect(text).toContain("GET /example-product/profile (API Gateway's JWT authorizer) with Authorization: Bearer <user token> → 200");
    expect(text).toMatch(
      /GET http:\/\/127\.0\.0\.1:\d+\/api\/profile \(the product's backend, jose\) with Authorization: Bearer <user token> → 200/,
    );
    expect(text).toContain('"checked_by": "jose against the JWKS"');
    await app.locator('#product-output').scrollIntoViewIfNeeded();
    await page.locator('#app-frame').screenshot({ path: path.join(ARTIFACTS, 'playground-app-user-token.png') });
  }, 15_000);

  it('3. its add-in stops when guichet cannot be reached, waits when told to slow down, and stops when cancelled', async () => {
    const app = page.frameLocator('#app-frame');
    const appOrigin = new URL((await page.locator('#app-frame').getAttribute('src')) ?? '').origin;
    const frameState = async (state: string) => {
      await app.locator(`#addin-output[data-state="${state}"]`).waitFor({ timeout: 10_000 });
      return (await app.locator('#addin-output').textContent()) ?? '';
    };
    const poll = `${guichet.publicUrl}/addons/sessions/poll?wait=10`;

    // guichet unreachable: the add-in says so and stops.
    await app.locator('#addin-init').click();
    let text = await frameState('initialised');
    expect(text).toMatch(/"transit_token": "[\w-]{8}…\(43 chars\)"/);
    expect(text).toMatch(/"expires_in": 600 \(10 min\)/);
    expect((await copySecret(app, 'addin', 'csrf_token')).length).toBeGreaterThan(20);
    await page.route(poll, (route) => route.abort('connectionrefused'));
    const unreachable = await openWindow('#addin-open', app);
    text = await frameState('failed');
    expect(text).toContain('guichet could not be reached');
    expect(text).toContain('the add-in stops polling');
    // The add-in closes the dialog it opened once its login is over.
    if (!unreachable.isClosed()) await unreachable.waitForEvent('close');
    await page.unroute(poll);

    // Told to slow down once (as one poll at a time and the per-address budget do), then cancelled in the dialog.
    await app.locator('#addin-init').click();
    await frameState('initialised');
    let polls = 0;
    await page.route(poll, async (route) => {
      polls += 1;
      if (polls > 1) return route.continue();
      await route.fulfill({
        status: 429,
        contentType: 'application/json',
        headers: {
          'Retry-After': '1',
          'Access-Control-Allow-Origin': appOrigin,
          'Access-Control-Allow-Credentials': 'true',
          'Access-Control-Expose-Headers': 'Retry-After',
        },
        body: JSON.stringify({ error: 'slow_down', error_description: 'another poll of this add-in sign-in is in progress' }),
      });
    });
    let dialog = await openWindow('#addin-open', app);
    await app.locator('#addin-output:text("Waiting 1 s (Retry-After), then polling again")').waitFor();
    await dialog.waitForURL(`${guichet.publicUrl}/addons/callback`);
    await dialog.locator('#cancel').waitFor({ state: 'visible' });
    await dialog.locator('#cancel').click();
    text = await frameState('cancelled');
    expect(text).toContain('poll 1 → 429 slow_down: another poll of this add-in sign-in is in progress.');
    expect(text).toContain('"error_description": "the sign-in was cancelled in the dialog"');
    expect(text).toContain('The person cancelled in the dialog: the add-in stops polling. Start again (Init) to sign in.');
    expect(await app.locator('#addin-open').isHidden()).toBe(true);
    expect(await app.locator('#addin-init').textContent()).toBe('Start again');
    expect(polls).toBeGreaterThanOrEqual(2);
    await page.unroute(poll);
    await frameScreenshot(app, 'addin-cancelled');

    // Starting again signs in: the dialog hands the completion code to this frame, whose poll with it gets the token.
    await app.locator('#addin-init').click();
    expect(await frameState('initialised')).toContain('POST /addons/sessions/init → 201');
    dialog = await openWindow('#addin-open', app);
    await dialog.waitForURL(`${guichet.publicUrl}/addons/callback`);
    await dialog.locator('#confirm').waitFor({ state: 'visible' });
    const question = (await dialog.locator('#message').textContent()) ?? '';
    expect(question).toContain('Playground');
    expect(question).toContain(`${USER}@example.test`);
    await dialog.locator('#confirm').click();

    text = await frameState('authenticated');
    expect(text).toContain("The completion code arrived from guichet's dialog");
    expect(text).toContain('"state": "authenticated"');
    expect(text).toContain('"token_type": "Bearer"');
    expect(text).toContain('"scope": "addons"');
    expect(text).toMatch(/"access_token": "[\w-]{8}…\(\d+ chars\)"/);
    expect(text).toMatch(new RegExp(String.raw`"exp": \d{10} \(in 1 h, ${HUMAN_TIME}\)`));
    expect(text).toContain(`"sub": "${USER}"`);
    expect(text).toMatch(/"sid": "[\w-]{43}"/);
    if (!dialog.isClosed()) await dialog.waitForEvent('close');
    await screenshot('product');
    await frameScreenshot(app, 'addin');
  }, 30_000);

  it('4. application: created with the CLI once, then its secret rotated (the previous kept); gets a token, calls the route', async () => {
    const tokenStatus = async (clientId: string, secret: string) =>
      (
        await fetch(`${guichet.publicUrl}/oauth/token`, {
          method: 'POST',
          headers: { Authorization: `Basic ${btoa(`${clientId}:${secret}`)}`, 'Content-Type': 'application/x-www-form-urlencoded' },
          body: 'grant_type=client_credentials',
        })
      ).status;
    const demoApplications = async () =>
      (await runCli(runApps, ['list', '--json'], cliEnvironment(guichet)))
        .json<{ name: string }[]>()
        .filter(({ name }) => name === 'Playground demo');

    await page.locator('#app-create').click();
    let text = await waitForState('app', 'created');
    expect(text).toContain('Created the demo application: there was none yet.');
    expect(text).toContain('$ npm run apps -- create --name "Playground demo" --scopes demo:read --json');
    expect(text).toMatch(/"client_id": "app_[\w-]+"/);
    expect(text).toMatch(/"client_secret": "[\w-]{8}…\(43 chars\)"/);
    const clientId = /"client_id": "(app_[\w-]+)"/.exec(text)![1];
    const firstSecret = await copySecret(page, 'app', 'client_secret');

    // A second click finds it and rotates its secret: still one demo application, the old secret valid for its grace period.
    await page.locator('#app-create').click();
    text = await waitForState('app', 'rotated');
    expect(text).toContain(`The demo application already exists (${clientId}): its secret was rotated instead of creating another one.`);
    expect(text).toContain(
      `$ npm run apps -- list --json\n(finds "Playground demo": ${clientId})\n$ npm run apps -- rotate-secret ${clientId} --json`,
    );
    expect(await demoApplications()).toHaveLength(1);
    expect(text).toContain('The previous secret stays valid for 24 h (npm run apps -- retire-secret ends it now).');
    // The copied secret is the whole one: it gets a token, and so does the one before it, until retired.
    const secret = await copySecret(page, 'app', 'client_secret');
    expect(secret).not.toBe(firstSecret);
    expect(await tokenStatus(clientId, secret)).toBe(200);
    expect(await tokenStatus(clientId, firstSecret)).toBe(200);
    expect((await runCli(runApps, ['retire-secret', clientId], cliEnvironment(guichet))).code).toBe(0);
    expect(await tokenStatus(clientId, firstSecret)).toBe(401);

    await page.locator('#app-token').click();
    text = await waitForState('app', 'token');
    expect(text).toContain('POST /oauth/token grant_type=client_credentials (HTTP Basic) → 200');
    expect(text).toContain('"scope": "demo:read"');
    expect(text).toMatch(/"expires_in": 3600 \(1 h\)/);
    expect(text).toMatch(new RegExp(String.raw`"iat": \d{10} \((now|\d+ s ago), ${HUMAN_TIME}\)`));
    expect(text).toMatch(new RegExp(String.raw`"exp": \d{10} \(in 1 h, ${HUMAN_TIME}\)`));

    await page.locator('#app-me').click();
    text = await waitForState('app', 'called');
    expect(text).toContain('GET /external-api/v1.0/me with Authorization: Bearer <access_token> → 200');
    expect(text).toMatch(/"sub": "app_[\w-]+",\s+"client_id": "app_[\w-]+",\s+"scope": "demo:read"/);
    await screenshot('app');
  }, 15_000);

  it('4. application with keys: private_key_jwt, an assertion signed by the playground, no secret anywhere', async () => {
    await page.locator('#app-create-keys').click();
    let text = await waitForState('app', 'created');
    expect(text).toMatch(/\$ npm run apps -- create --name "Playground demo \(keys\)" --scopes demo:read --jwks-file \S+jwks\.json --json/);
    expect(text).toContain('"credentials": "keys"');
    expect(text).not.toContain('client_secret');

    await page.locator('#app-token').click();
    text = await waitForState('app', 'token');
    expect(text).toContain('POST /oauth/token grant_type=client_credentials (private_key_jwt) → 200');
    expect(text).toMatch(/"alg": "ES256",\s+"kid": "playground-\d+"/);
    expect(text).toContain('"scope": "demo:read"');

    await page.locator('#app-me').click();
    expect(await waitForState('app', 'called')).toContain('GET /external-api/v1.0/me with Authorization: Bearer <access_token> → 200');

    // A second click gives it a new key pair: the new key works.
    await page.locator('#app-create-keys').click();
    text = await waitForState('app', 'rotated');
    expect(text).toMatch(/\$ npm run apps -- set-jwks app_[\w-]+ --jwks-file \S+ --json/);
    await page.locator('#app-token').click();
    expect(await waitForState('app', 'token')).toContain('(private_key_jwt) → 200');
  }, 15_000);

  it('5. back-channel logout: watches while the IdP window is open, then sees the web and the native sessions end', async () => {
    const sessionChecks: number[] = [];
    page.on('request', (request) => {
      if (request.url() === `${guichet.publicUrl}/auth/session`) sessionChecks.push(Date.now());
    });

    // The watch is gentle: a look (the cookie, the Bearer token) every 2.5 s, not every second. Closing the IdP's
    // window without signing out stops it.
    let idpWindow = await openWindow('#logout-open');
    const opened = sessionChecks.length;
    expect(await waitForState('logout', 'watching')).toMatch(/web session \(cookie\): +live \(200\)/);
    expect(await outputText('logout')).toContain('Watching GET /auth/session every 2.5 s');
    await page.waitForTimeout(3000);
    expect(sessionChecks.length - opened).toBeLessThanOrEqual(4);
    await idpWindow.close();
    expect(await waitForState('logout', 'stopped')).toContain('The IdP window was closed, so this stopped watching.');

    idpWindow = await openWindow('#logout-open');
    await waitForState('logout', 'watching');
    await confirmLogoutAtIdp(idpWindow);
    await idpWindow.locator('h1:text("You are signed out")').waitFor();
    expect(await idpPageText(idpWindow)).toContain('guichet was told with a back-channel logout token');
    await idpWindow.screenshot({ path: path.join(ARTIFACTS, 'dev-idp-signed-out.png') });
    await idpWindow.close();

    const text = await waitForState('logout', 'ended');
    expect(text).toMatch(/web session \(cookie\): +ended \(401\)/);
    expect(text).toMatch(/native app session \(Bearer\): +ended \(401\)/);
    expect(text).toContain("guichet received the IdP's logout token");
    expect(await waitForState('web', 'signed-out')).toContain('Not signed in.');
    await screenshot('logout');
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-overview.png'), fullPage: true });

    // With nothing to watch, it says so at once and stops.
    const before = sessionChecks.length;
    idpWindow = await openWindow('#logout-open');
    expect(await waitForState('logout', 'idle')).toContain('Nothing to watch: no session is live');
    const after = sessionChecks.length;
    await page.waitForTimeout(3000);
    expect(sessionChecks.length).toBe(after);
    expect(after - before).toBeLessThanOrEqual(2);
    await idpWindow.close();
  }, 30_000);

  it("tells a person who opened it under another host name to use guichet's own", async () => {
    const canonical = new URL(guichet.publicUrl);
    const elsewhere = `http://localhost:${canonical.port}`;
    const other = await context.newPage();
    // A proxy that forwards localhost to guichet without the local server's redirect to 127.0.0.1.
    await other.route(`${elsewhere}/**`, async (route) => {
      const forwarded = route.request().url().replace(elsewhere, guichet.publicUrl);
      const headers: Record<string, string> = { ...route.request().headers(), origin: guichet.publicUrl };
      delete headers.host;
      await route.fulfill({ response: await route.fetch({ url: forwarded, headers, maxRedirects: 0 }) });
    });
    await other.goto(`${elsewhere}/`);
    await other.locator('#wrong-host').waitFor({ state: 'visible' });
    expect(await other.locator('#wrong-host').textContent()).toContain(`This page is open at ${elsewhere}`);
    expect(await other.locator('#wrong-host-url').getAttribute('href')).toBe(`${guichet.publicUrl}/`);
    expect(await other.locator('#web-login').getAttribute('href')).toBe(`${guichet.publicUrl}/auth/login?returnTo=/`);
    await other.locator('header').screenshot({ path: path.join(ARTIFACTS, 'playground-wrong-host.png') });
    await other.close();
  }, 10_000);

  it("the development IdP's error page says what went wrong and where to start again", async () => {
    const other = await context.newPage();
    const response = await other.goto(`${guichet.issuer}/interaction/unknown`);
    expect(response?.status()).toBe(400);
    expect(await other.locator('h1').textContent()).toBe('The development IdP could not go on');
    const text = await idpPageText(other);
    expect(text).toContain('invalid_request: interaction session id cookie not found');
    expect(text).toContain('start again from guichet');
    expect(await other.locator(`a[href="${guichet.publicUrl}/"]`).count()).toBe(1);
    await other.close();
  }, 10_000);

  it('loaded nothing from outside loopback, broke no CSP rule and threw no script error', () => {
    // Only the add-in dialog's pages ask for something outside: Office.js, which they work without.
    expect(blocked.filter((url) => new URL(url).origin !== 'https://appsforoffice.microsoft.com')).toEqual([]);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
