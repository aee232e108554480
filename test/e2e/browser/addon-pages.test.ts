import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LocalGuichet } from '../../../local/start';
import { startTestGuichet } from '../../support/local-guichet';
import { TestBrowser } from '../../support/browser';
import { launchChromium, loopbackOnlyContext, recordCspViolations } from '../../support/chromium';

/**
 * The add-in dialog's two pages in a real browser, under their real Content-Security-Policy: the transit
 * page hands the person to the web login, the callback page asks them to confirm before the add-in is
 * signed in. The add-in's side (init and poll) is played from Node. Office.js is blocked: outside Office
 * the pages must work from the URL fragment alone.
 */
const ARTIFACTS = path.join(__dirname, '..', '..', 'artifacts');
const GUICHET_PAGES = ['/addons/transit', '/addons/callback'];

let guichet: LocalGuichet;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  guichet = await startTestGuichet();
  browser = await launchChromium();
}, 20_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await guichet?.close();
});

const isGuichetPage = (address: string) => {
  const url = new URL(address);
  return url.origin === guichet.publicUrl && GUICHET_PAGES.includes(url.pathname);
};

/**
 * A fresh dialog window, recording CSP violations (as console errors and as DOM events) and uncaught
 * script errors on guichet's own pages. Office.js being blocked shows as a failed load, not as either.
 */
async function openDialog() {
  const { context, blocked } = await loopbackOnlyContext(browser!);
  contexts.push(context);
  const violations = await recordCspViolations(context);
  const page = await context.newPage();
  const consoleProblems: string[] = [];
  const onGuichetPage = () => isGuichetPage(page.url());
  page.on('console', (message) => {
    if (onGuichetPage() && /Content[- ]Security[- ]Policy/i.test(message.text())) consoleProblems.push(`${page.url()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => {
    if (onGuichetPage()) consoleProblems.push(`${page.url()}: uncaught ${error.message}`);
  });
  const requests: Array<{ method: string; url: string }> = [];
  page.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
  const problems = () => [
    ...consoleProblems,
    ...violations
      .filter((v) => isGuichetPage(v.documentURI))
      .map((v) => `${v.documentURI}: ${v.violatedDirective} blocked ${v.blockedURI} ${v.sample}`),
  ];
  return { context, page, blocked, problems, requests };
}

/** The add-in, outside the browser: its own cookie jar, init (with its name) and poll. */
async function startAddin(addinName = 'Calendar') {
  const addin = new TestBrowser();
  const init = await addin.request(`${guichet.publicUrl}/addons/sessions/init`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ addin_name: addinName }),
  });
  expect(init.status).toBe(201);
  const body = (await init.json()) as { transit_token: string; csrf_token: string };
  expect(addin.cookie('guichet_addons_sid')).toEqual(expect.any(String));
  const poll = () =>
    addin.request(`${guichet.publicUrl}/addons/sessions/poll`, { method: 'POST', headers: { 'X-CSRFToken': body.csrf_token } });
  return { transitToken: body.transit_token, poll };
}

const messageText = (page: Page) => page.locator('#message').textContent();

describe('Office add-in dialog pages in Chromium', () => {
  it('signs the add-in in only after the person confirms on the callback page', async () => {
    const { transitToken, poll } = await startAddin();
    expect((await poll()).status).toBe(202);

    const { page, blocked, problems, requests } = await openDialog();
    // A link carrying a name of its own choosing: the page must show the name init stored, not this one.
    await page.goto(`${guichet.publicUrl}/addons/transit#transit_token=${transitToken}&addin_name=Your%20bank`);

    // The transit page sends the person through /auth/login to the development IdP's login page.
    await page.waitForURL((url) => url.origin === guichet.issuer && url.pathname.startsWith('/interaction/'));
    expect(requests.some((r) => new URL(r.url).pathname === '/auth/login')).toBe(true);
    await page.locator('input[name="username"]').fill('pat');
    await page.locator('form button[type="submit"]').click();

    // Back on guichet: the callback page names the person and the add-in, and waits for a decision.
    await page.waitForURL(`${guichet.publicUrl}/addons/callback`);
    const confirm = page.locator('#confirm');
    await confirm.waitFor({ state: 'visible' });
    const question = await messageText(page);
    expect(question).toBe('Sign in to Calendar as pat@example.test? Only confirm if you started this from the add-in.');
    expect(await page.locator('#cancel').isVisible()).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'addon-confirmation.png'), fullPage: true });

    // Nothing happened on its own: the add-in is still waiting and the exchange was never called.
    expect((await poll()).status).toBe(202);
    expect(requests.filter((r) => new URL(r.url).pathname === '/addons/sessions/exchange')).toEqual([]);

    const exchange = page.waitForResponse((response) => new URL(response.url()).pathname === '/addons/sessions/exchange');
    await confirm.click();
    expect((await exchange).status()).toBe(200);
    await page.waitForFunction(() => document.getElementById('message')?.textContent?.includes('You are signed in'));
    expect(await messageText(page)).toBe('You are signed in. You can close this window.');
    expect(await confirm.isHidden()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('guichet.transit_token'))).toBeNull();

    const delivered = await poll();
    expect(delivered.status).toBe(200);
    const token = (await delivered.json()) as { state: string; access_token: string; token_type: string };
    expect(token).toMatchObject({ state: 'authenticated', access_token: expect.any(String), token_type: 'Bearer' });
    expect(decodeJwt(token.access_token)).toMatchObject({ sub: 'pat', email: 'pat@example.test', scope: 'addons' });
    expect((await poll()).status).toBe(404);

    // The transit token only ever left the dialog in the exchange's body, never in a URL.
    expect(requests.filter((r) => r.url.includes(transitToken))).toEqual([]);
    // The only thing blocked was Office.js, and guichet's inline script and style ran under its CSP.
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.filter((url) => new URL(url).origin !== 'https://appsforoffice.microsoft.com')).toEqual([]);
    expect(problems()).toEqual([]);
  }, 25_000);

  it('lets the person cancel: the transit token is spent and the add-in stops polling at once', async () => {
    const { transitToken, poll } = await startAddin();
    const { page, problems } = await openDialog();
    await page.goto(`${guichet.publicUrl}/addons/transit#transit_token=${transitToken}`);
    await page.waitForURL((url) => url.origin === guichet.issuer && url.pathname.startsWith('/interaction/'));
    await page.locator('input[name="username"]').fill('quentin');
    await page.locator('form button[type="submit"]').click();
    await page.waitForURL(`${guichet.publicUrl}/addons/callback`);
    await page.locator('#cancel').click();
    await page.waitForFunction(() => document.getElementById('message')?.textContent?.startsWith('Sign-in cancelled'));

    const cancelled = await poll();
    expect(cancelled.status).toBe(404);
    expect(await cancelled.json()).toEqual({ error: 'not_found', error_description: 'the sign-in was cancelled in the dialog' });
    expect(problems()).toEqual([]);
  }, 25_000);

  it('tells a person who opens the callback page without a transit token to start again', async () => {
    const { page, problems } = await openDialog();
    await page.goto(`${guichet.publicUrl}/addons/callback`);
    await page.waitForFunction(() => document.getElementById('message')?.textContent !== 'Checking who you are…');
    expect(await messageText(page)).toBe('This sign-in has expired or was already used. Start again from the add-in.');
    expect(await page.locator('#confirm').isHidden()).toBe(true);
    expect(await page.locator('#cancel').isHidden()).toBe(true);
    expect(problems()).toEqual([]);
  }, 15_000);
});
