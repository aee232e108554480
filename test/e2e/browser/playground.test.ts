import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LocalGuichet } from '../../../local/start';
import { startTestGuichet } from '../../support/local-guichet';
import { launchChromium, loopbackOnlyContext, recordCspViolations, type CspViolation } from '../../support/chromium';

/**
 * The local playground (`npm start`'s page at `/`) in a real browser, clicked through as a newcomer would:
 * each section in turn, signing in at the development IdP, under the page's own strict CSP. The sections
 * build on each other (one browser, one IdP session), so the tests run in order. A screenshot of each
 * section goes to test/artifacts/playground-*.png.
 */
const ARTIFACTS = path.join(__dirname, '..', '..', 'artifacts');
const USER = 'ada';

let guichet: LocalGuichet;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let blocked: string[];
let violations: CspViolation[];
const pageErrors: string[] = [];

beforeAll(async () => {
  guichet = await startTestGuichet();
  browser = await launchChromium();
  ({ context, blocked } = await loopbackOnlyContext(browser));
  violations = await recordCspViolations(context);
  context.on('page', (opened) => opened.on('pageerror', (error) => pageErrors.push(`${opened.url()}: ${error.message}`)));
  page = await context.newPage();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 20_000);

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

async function screenshot(section: string): Promise<void> {
  await page.locator(`#${section}`).screenshot({ path: path.join(ARTIFACTS, `playground-${section}.png`) });
}

/** Clicks a link that opens a new window and returns that window. */
async function openWindow(selector: string): Promise<Page> {
  const [opened] = await Promise.all([context.waitForEvent('page'), page.locator(selector).click()]);
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

describe('the local playground in Chromium', () => {
  it('serves a static page under a strict CSP, labelled as local', async () => {
    const response = await page.goto(`${guichet.publicUrl}/`);
    expect(response?.status()).toBe(200);
    const csp = response?.headers()['content-security-policy'] ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(await page.title()).toBe('guichet — local playground');
    expect(await page.locator('header').textContent()).toContain('never deployed');
    await page.locator(`#idp:text("${guichet.issuer}")`).waitFor();
  }, 10_000);

  it('1. web login: logs in at the IdP, shows the session, logs out through guichet and back in', async () => {
    expect(await waitForState('web', 'signed-out')).toContain('GET /auth/session → 401');

    await page.locator('#web-login').click();
    await signInAtIdp(page, USER);
    await page.waitForURL(`${guichet.publicUrl}/`);
    let text = await waitForState('web', 'signed-in');
    expect(text).toContain(`Signed in as ${USER} <${USER}@example.test>`);
    expect(text).toContain('GET /auth/session → 200');

    // The logout button posts to /auth/logout, which ends the session and sends the browser to the IdP.
    await page.locator('#web-logout').click();
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

  it('2. native app: receives visio://playground?code=… from the system browser and exchanges it', async () => {
    await page.locator('#native-start').click();
    await page.locator('#native-open').waitFor({ state: 'visible' });
    expect(await outputText('native')).toMatch(/code_challenge = [\w-]{43}\n/);
    expect(await page.locator('#native-open').getAttribute('href')).toMatch(
      /^\/auth\/login\?returnTo=visio%3A%2F%2Fplayground&code_challenge=[\w-]{43}&code_challenge_method=S256&state=[\w-]{43}$/,
    );

    // The "system browser" shares the IdP session of section 1: single sign-on, no login form.
    const systemBrowser = await openWindow('#native-open');
    await systemBrowser.waitForURL(`${guichet.publicUrl}/playground/native/handed-over`);
    expect(await systemBrowser.locator('h1').textContent()).toContain('Handed over to the app');
    await systemBrowser.close();

    const received = await waitForState('native', 'received');
    expect(received).toMatch(/The app received:\nvisio:\/\/playground\?code=[\w-]{43}&state=[\w-]{43}$/);

    await page.locator('#native-exchange').click();
    const text = await waitForState('native', 'signed-in');
    expect(text).toContain('POST /auth/session-exchange {"code", "code_verifier"} → 200');
    expect(text).toContain('"token_type": "Bearer"');
    expect(text).toContain('GET /auth/session with Authorization: Bearer <session_token> → 200');
    expect(text).toContain(`"email": "${USER}@example.test"`);
    await screenshot('native');
  }, 15_000);

  it('3. a product on its own origin: its web app reads the session and its add-in signs in, with CORS', async () => {
    const app = page.frameLocator('#app-frame');
    const frameState = async (section: string, state: string) => {
      await app.locator(`#${section}-output[data-state="${state}"]`).waitFor({ timeout: 10_000 });
      return (await app.locator(`#${section}-output`).textContent()) ?? '';
    };
    await app.locator('#webapp-check').click();
    expect(await frameState('webapp', 'signed-in')).toContain('GET /auth/session (credentials: include) → 200');

    await app.locator('#addin-init').click();
    expect(await frameState('addin', 'initialised')).toContain('POST /addons/sessions/init → 201');

    const [dialog] = await Promise.all([context.waitForEvent('page'), app.locator('#addin-open').click()]);
    await dialog.waitForURL(`${guichet.publicUrl}/addons/callback`);
    await dialog.locator('#confirm').waitFor({ state: 'visible' });
    const question = (await dialog.locator('#message').textContent()) ?? '';
    expect(question).toContain('Playground');
    expect(question).toContain(`${USER}@example.test`);
    await dialog.locator('#confirm').click();
    await dialog.locator('#message:text("You are signed in")').waitFor();
    await dialog.close();

    const text = await frameState('addin', 'authenticated');
    expect(text).toContain('"state": "authenticated"');
    expect(text).toContain('"token_type": "Bearer"');
    expect(text).toContain('"scope": "addons"');
    expect(text).toContain(`"sub": "${USER}"`);
    await screenshot('product');
  }, 15_000);

  it('4. application: created with the CLI, gets a client-credentials token, calls the protected route', async () => {
    await page.locator('#app-create').click();
    let text = await waitForState('app', 'created');
    expect(text).toContain('$ npm run apps -- create --name "Playground demo" --scopes demo:read --json');
    expect(text).toMatch(/"client_id": "app_[\w-]+"/);

    await page.locator('#app-token').click();
    text = await waitForState('app', 'token');
    expect(text).toContain('POST /oauth/token grant_type=client_credentials (HTTP Basic) → 200');
    expect(text).toContain('"scope": "demo:read"');

    await page.locator('#app-me').click();
    text = await waitForState('app', 'called');
    expect(text).toContain('GET /external-api/v1.0/me with Authorization: Bearer <access_token> → 200');
    expect(text).toMatch(/"sub": "app_[\w-]+",\s+"client_id": "app_[\w-]+",\s+"scope": "demo:read"/);
    await screenshot('app');
  }, 15_000);

  it('5. back-channel logout: logging out at the IdP ends the web and the native sessions', async () => {
    const idpWindow = await openWindow('#logout-open');
    expect(await waitForState('logout', 'watching')).toMatch(/web session \(cookie\): +live \(200\)/);
    await confirmLogoutAtIdp(idpWindow);
    await idpWindow.locator('h1:text("You are signed out")').waitFor();
    await idpWindow.close();

    const text = await waitForState('logout', 'ended');
    expect(text).toMatch(/web session \(cookie\): +ended \(401\)/);
    expect(text).toMatch(/native app session \(Bearer\): +ended \(401\)/);
    expect(text).toContain("guichet received the IdP's logout token");
    expect(await waitForState('web', 'signed-out')).toContain('Not signed in.');
    await screenshot('logout');
    await page.screenshot({ path: path.join(ARTIFACTS, 'playground-overview.png'), fullPage: true });
  }, 15_000);

  it('loaded nothing from outside loopback, broke no CSP rule and threw no script error', () => {
    // Only the add-in dialog's pages ask for something outside: Office.js, which they work without.
    expect(blocked.filter((url) => new URL(url).origin !== 'https://appsforoffice.microsoft.com')).toEqual([]);
    expect(violations).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});
