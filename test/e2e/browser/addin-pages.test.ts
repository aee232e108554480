import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { LocalGuichet } from '../../../local/start';
import { receivedMessages, signInInDialog, startRecordingPage } from '../../support/addin-page';
import { TestBrowser } from '../../support/browser';
import { launchChromium, loopbackOnlyContext, recordCspViolations } from '../../support/chromium';
import { startTestGuichet } from '../../support/local-guichet';

/**
 * The add-in dialog's two pages in a real browser, under their real Content-Security-Policy: the transit
 * page hands the person to the web login, the callback page asks them to confirm before the add-in is
 * signed in, then hands the completion code to the add-in's window only. The add-in's side (init and poll) is
 * played from Node, with the origin of a page that opens the dialog and records what it receives (outside Office)
 * or with a stand-in for Office.js in the dialog (inside Office). Office.js itself is blocked: outside Office the
 * pages must work from the URL fragment alone.
 */
const ARTIFACTS = path.join(__dirname, '..', '..', 'artifacts');
const GUICHET_PAGES = ['/addons/transit', '/addons/callback'];

let guichet: LocalGuichet;
let browser: Browser | undefined;
/** The add-in's page, on the origin listed in CORS_ORIGINS: it opens the dialog outside Office. */
let addinSite: Awaited<ReturnType<typeof startRecordingPage>>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  addinSite = await startRecordingPage();
  guichet = await startTestGuichet({ CORS_ORIGINS: addinSite.origin });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await guichet?.close();
  await addinSite?.close();
});

const isGuichetPage = (address: string) => {
  const url = new URL(address);
  return url.origin === guichet.publicUrl && GUICHET_PAGES.includes(url.pathname);
};

/**
 * A fresh browser, recording CSP violations (as console errors and as DOM events) and uncaught script errors on
 * guichet's own pages. Office.js being blocked shows as a failed load, not as either. `office` puts a stand-in for
 * Office.js in every page (Office's dialog API, recording what the page sends its parent), as inside Office's dialog.
 */
async function openBrowser(office?: { dialogOrigin: boolean }) {
  const { context, blocked } = await loopbackOnlyContext(browser!);
  contexts.push(context);
  const violations = await recordCspViolations(context);
  if (office) {
    await context.addInitScript((dialogOrigin) => {
      const sent: unknown[] = [];
      Object.assign(window, {
        sentToParent: sent,
        Office: {
          onReady: (callback: (info: { host: string }) => void) => callback({ host: 'Outlook' }),
          context: {
            ui: { messageParent: (message: string, options?: unknown) => sent.push({ message, options }) },
            requirements: { isSetSupported: (name: string) => dialogOrigin && name === 'DialogOrigin' },
          },
        },
      });
    }, office.dialogOrigin);
  }
  const consoleProblems: string[] = [];
  const requests: Array<{ method: string; url: string }> = [];
  const watch = (page: Page) => {
    const onGuichetPage = () => isGuichetPage(page.url());
    page.on('console', (message) => {
      const text = message.text();
      if (onGuichetPage() && /Content[- ]Security[- ]Policy/i.test(text)) consoleProblems.push(`${page.url()}: ${text}`);
    });
    page.on('pageerror', (error) => {
      if (onGuichetPage()) consoleProblems.push(`${page.url()}: uncaught ${error.message}`);
    });
    page.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
  };
  context.on('page', watch);
  const problems = () => [
    ...consoleProblems,
    ...violations
      .filter((v) => isGuichetPage(v.documentURI))
      .map((v) => `${v.documentURI}: ${v.violatedDirective} blocked ${v.blockedURI} ${v.sample}`),
  ];
  return { context, blocked, problems, requests };
}

/** Outside Office: the add-in's page opens guichet's dialog on the transit link with `window.open`. */
async function openDialogFromAddin(transitLink: string) {
  const opened = await openBrowser();
  const addinPage = await opened.context.newPage();
  await addinPage.goto(`${addinSite.origin}/`);
  const [page] = await Promise.all([
    opened.context.waitForEvent('page'),
    addinPage.evaluate((url) => void window.open(url, '_blank', 'popup'), transitLink),
  ]);
  return { ...opened, page, addinPage };
}

/** Inside Office (a stand-in for Office.js): the dialog is opened on the transit link, with no opener. */
async function openOfficeDialog(transitLink: string, dialogOrigin = true) {
  const opened = await openBrowser({ dialogOrigin });
  const page = await opened.context.newPage();
  await page.goto(transitLink);
  return { ...opened, page };
}

/** The add-in, outside the browser: its own cookie jar, init (with its name and its page's origin) and poll. */
async function startAddin(addinName = 'Calendar') {
  const addin = new TestBrowser();
  const init = await addin.request(`${guichet.publicUrl}/addons/sessions/init`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: addinSite.origin },
    body: JSON.stringify({ addin_name: addinName }),
  });
  expect(init.status).toBe(201);
  const body = (await init.json()) as { transit_token: string; csrf_token: string };
  expect(addin.cookie('guichet_addons_sid')).toEqual(expect.any(String));
  const poll = (completion?: string) =>
    addin.request(`${guichet.publicUrl}/addons/sessions/poll`, {
      method: 'POST',
      headers: { 'X-CSRFToken': body.csrf_token, ...(completion === undefined ? {} : { 'X-Guichet-Completion': completion }) },
    });
  const transitLink = (fragment = '') => `${guichet.publicUrl}/addons/transit#transit_token=${body.transit_token}${fragment}`;
  return { transitToken: body.transit_token, transitLink, poll };
}

const messageText = (page: Page) => page.locator('#message').textContent();

describe('Office add-in dialog pages in Chromium', () => {
  it("signs the add-in in only after the person confirms, and hands the completion code to the add-in's window only", async () => {
    const { transitToken, transitLink, poll } = await startAddin();
    expect((await poll()).status).toBe(202);

    // A link carrying a name of its own choosing: the page must show the name init stored, not this one.
    const { page, addinPage, blocked, problems, requests } = await openDialogFromAddin(transitLink('&addin_name=Your%20bank'));

    // The transit page sends the person through /auth/login to the development IdP's login page.
    await signInInDialog(page, guichet, 'pat');
    expect(requests.some((r) => new URL(r.url).pathname === '/auth/login')).toBe(true);

    // Back on guichet: the callback page names the person and the add-in, and waits for a decision.
    const confirm = page.locator('#confirm');
    await confirm.waitFor({ state: 'visible' });
    const question = await messageText(page);
    expect(question).toBe('Sign in to Calendar as pat@example.test? Only confirm if you started this from the add-in.');
    expect(await page.locator('#cancel').isVisible()).toBe(true);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'addin-confirmation.png'), fullPage: true });

    // Nothing happened on its own: the add-in is still waiting and the exchange was never called.
    expect(await (await poll()).json()).toEqual({ state: 'pending' });
    expect(requests.filter((r) => new URL(r.url).pathname === '/addons/sessions/exchange')).toEqual([]);

    const exchange = page.waitForResponse((response) => new URL(response.url()).pathname === '/addons/sessions/exchange');
    await confirm.click();
    expect((await exchange).status()).toBe(200);
    await page.waitForFunction(() => document.getElementById('message')?.textContent?.startsWith('Signed in.'));
    expect(await messageText(page)).toBe('Signed in. Return to the add-in; you can close this window.');
    expect(await confirm.isHidden()).toBe(true);
    expect(await page.evaluate(() => sessionStorage.getItem('guichet.transit_token'))).toBeNull();

    // The add-in's window received the code from guichet's origin; the page shows it nowhere and keeps it nowhere.
    const received = await receivedMessages(addinPage);
    const message = { type: 'guichet:addin-login', completion: expect.stringMatching(/^[\w-]{43}$/) };
    expect(received).toEqual([{ origin: guichet.publicUrl, data: message }]);
    const completion = (received[0].data as { completion: string }).completion;
    expect(await page.locator('body').textContent()).not.toContain(completion);
    const storage = await page.evaluate(() => JSON.stringify({ ...sessionStorage }) + JSON.stringify({ ...localStorage }));
    expect(storage).not.toContain(completion);

    // Without the code the add-in only learns that the person confirmed; with it, the token, once.
    expect(await (await poll()).json()).toEqual({ state: 'confirmed' });
    const delivered = await poll(completion);
    expect(delivered.status).toBe(200);
    const token = (await delivered.json()) as { state: string; access_token: string; token_type: string };
    expect(token).toMatchObject({ state: 'authenticated', access_token: expect.any(String), token_type: 'Bearer' });
    const claims = decodeJwt(token.access_token);
    expect(claims).toMatchObject({ sub: 'pat', email: 'pat@example.test', scope: 'addons', sid: expect.any(String) });
    expect((await poll(completion)).status).toBe(404);

    // The transit token and the completion code never travelled in a URL.
    expect(requests.filter((r) => r.url.includes(transitToken) || r.url.includes(completion))).toEqual([]);
    // The only thing blocked was Office.js, and guichet's inline script and style ran under its CSP.
    expect(blocked.length).toBeGreaterThan(0);
    expect(blocked.filter((url) => new URL(url).origin !== 'https://appsforoffice.microsoft.com')).toEqual([]);
    expect(problems()).toEqual([]);
  }, 30_000);

  it("inside an Office dialog, hands the code to Office's messageParent, targeted at the add-in's origin", async () => {
    const { transitLink, poll } = await startAddin();
    const { page, problems } = await openOfficeDialog(transitLink());
    await signInInDialog(page, guichet, 'rosa');
    await page.locator('#confirm').click();
    await page.waitForFunction(() => document.getElementById('message')?.textContent?.startsWith('Signed in.'));
    type Sent = { message: string; options: unknown }[];
    const sent = (await page.evaluate(() => (window as unknown as { sentToParent: unknown[] }).sentToParent)) as Sent;
    expect(sent).toEqual([{ message: expect.any(String), options: { targetOrigin: addinSite.origin } }]);
    const message = JSON.parse(sent[0].message) as { type: string; completion: string };
    expect(message).toEqual({ type: 'guichet:addin-login', completion: expect.stringMatching(/^[\w-]{43}$/) });
    expect((await poll(message.completion)).status).toBe(200);
    expect(problems()).toEqual([]);
  }, 30_000);

  it('asks for no confirmation inside an Office that cannot target the add-in (no DialogOrigin 1.1)', async () => {
    const { transitLink, poll } = await startAddin();
    const { page, requests } = await openOfficeDialog(transitLink(), false);
    await signInInDialog(page, guichet, 'sam');
    await page.waitForFunction(() => document.getElementById('message')?.textContent !== 'Checking who you are…');
    expect(await messageText(page)).toBe(
      'This version of Office cannot finish this sign-in safely. Update Office, then start again from the add-in.',
    );
    expect(await page.locator('#confirm').isHidden()).toBe(true);
    expect(requests.filter((r) => new URL(r.url).pathname === '/addons/sessions/exchange')).toEqual([]);
    expect(await (await poll()).json()).toEqual({ state: 'pending' });
  }, 30_000);

  it('lets the person cancel: the transit token is spent and the add-in stops polling at once', async () => {
    const { transitLink, poll } = await startAddin();
    const { page, addinPage, problems } = await openDialogFromAddin(transitLink());
    await signInInDialog(page, guichet, 'quentin');
    await page.locator('#cancel').click();
    await page.waitForFunction(() => document.getElementById('message')?.textContent?.startsWith('Sign-in cancelled'));

    const cancelled = await poll();
    expect(cancelled.status).toBe(404);
    expect(await cancelled.json()).toEqual({ error: 'not_found', error_description: 'the sign-in was cancelled in the dialog' });
    expect(await receivedMessages(addinPage)).toEqual([]);
    expect(problems()).toEqual([]);
  }, 30_000);

  it('tells a person who opens the callback page without a transit token to start again', async () => {
    const { context, problems } = await openBrowser();
    const page = await context.newPage();
    await page.goto(`${guichet.publicUrl}/addons/callback`);
    await page.waitForFunction(() => document.getElementById('message')?.textContent !== 'Checking who you are…');
    expect(await messageText(page)).toBe('This sign-in has expired or was already used. Start again from the add-in.');
    expect(await page.locator('#confirm').isHidden()).toBe(true);
    expect(await page.locator('#cancel').isHidden()).toBe(true);
    expect(problems()).toEqual([]);
  }, 15_000);
});
