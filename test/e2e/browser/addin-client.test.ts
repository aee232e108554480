import { decodeJwt } from 'jose';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { publicSessionId } from '../../../lambdas/domain/user-tokens';
import type { LocalGuichet } from '../../../local/start';
import { type AddinPageServer, signInInDialog, startAddinPage } from '../../support/addin-page';
import { type CspViolation, launchChromium, loopbackOnlyContext, recordCspViolations } from '../../support/chromium';
import { startTestGuichet, storeOf } from '../../support/local-guichet';

/**
 * The legitimate add-in login in Chromium, web security on: a page on a listed origin uses the add-in client
 * (clients/addin/guichet-addin.js) as an add-in developer would, outside Office. It opens guichet's dialog with
 * `window.open`; the person signs in at the development IdP and confirms; the confirmation page hands the completion
 * code to this page only; the client polls with it and gets the token, exactly once.
 */
let guichet: LocalGuichet;
let addin: AddinPageServer;
let browser: Browser | undefined;
let context: BrowserContext;
let violations: CspViolation[];

beforeAll(async () => {
  addin = await startAddinPage();
  guichet = await startTestGuichet({ CORS_ORIGINS: addin.origin });
  addin.setGuichetUrl(guichet.publicUrl);
  browser = await launchChromium();
  ({ context } = await loopbackOnlyContext(browser));
  violations = await recordCspViolations(context);
}, 60_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await guichet?.close();
  await addin?.close();
});

interface AddinResult {
  readonly token?: { accessToken: string; tokenType: string; expiresIn: number; scope: string };
  readonly error?: string;
  readonly message?: string;
}

type AddinEvent = { step: string; status?: number; withCompletion?: boolean };
const addinResult = (page: Page) =>
  page
    .waitForFunction(() => (window as unknown as { addinResult?: AddinResult }).addinResult)
    .then((handle) => handle.jsonValue() as Promise<AddinResult>);
const addinEvents = (page: Page) => page.evaluate(() => (window as unknown as { addinEvents: AddinEvent[] }).addinEvents);

/** Clicks the add-in's "Sign in", and returns the dialog window it opens. */
async function startSignIn(page: Page): Promise<Page> {
  const [dialog] = await Promise.all([context.waitForEvent('page'), page.locator('#sign-in').click()]);
  return dialog;
}

describe('the add-in client in Chromium, outside Office', () => {
  it('opens the dialog, receives the completion code from it, and gets the token exactly once', async () => {
    const page = await context.newPage();
    const requests: Request[] = [];
    context.on('request', (request) => requests.push(request));
    await page.goto(`${addin.origin}/`);

    const dialog = await startSignIn(page);
    await signInInDialog(dialog, guichet, 'ines');
    await dialog.locator('#confirm').waitFor({ state: 'visible' });
    expect(await dialog.locator('#message').textContent()).toBe(
      'Sign in to Calendar as ines@example.test? Only confirm if you started this from the add-in.',
    );

    // Before the click, a message of the right shape from anyone else than guichet's dialog is ignored.
    await page.evaluate(() => window.postMessage({ type: 'guichet:addin-login', completion: 'A'.repeat(43) }, '*'));
    // What the exchange answers the confirmation page (read here: the client closes the dialog as soon as it has the code).
    let exchanged: { status: number; body: { completion: string; addin_origin: string } } | undefined;
    await dialog.route(`${guichet.publicUrl}/addons/sessions/exchange`, async (route) => {
      const response = await route.fetch();
      exchanged = { status: response.status(), body: (await response.json()) as { completion: string; addin_origin: string } };
      await route.fulfill({ response });
    });
    await dialog.locator('#confirm').click();

    const result = await addinResult(page);
    expect(exchanged?.status).toBe(200);
    const { completion, addin_origin: addinOrigin } = exchanged!.body;
    expect(addinOrigin).toBe(addin.origin);
    expect(result.error).toBeUndefined();
    expect(result.token).toEqual({ accessToken: expect.any(String), tokenType: 'Bearer', expiresIn: expect.any(Number), scope: 'addons' });
    const claims = decodeJwt(result.token!.accessToken);
    expect(claims).toMatchObject({ sub: 'ines', email: 'ines@example.test', scope: 'addons', client_id: 'guichet-addons' });
    // The confirming web session's public sid, and an expiry within it.
    const sessions = await storeOf(guichet).all('sessions');
    const confirming = sessions.find((session) => session.sub === 'ines')!;
    expect(claims.sid).toBe(publicSessionId(confirming.id as string));
    expect(claims.exp).toBeLessThanOrEqual(confirming.expiresAt as number);

    // The client polled with the code once, after polls without it; it closed the dialog it opened.
    const polls = requests.filter((request) => new URL(request.url()).pathname === '/addons/sessions/poll' && request.method() === 'POST');
    const withCode = polls.filter((request) => request.headers()['x-guichet-completion'] !== undefined);
    expect(withCode).toHaveLength(1);
    expect(withCode[0].headers()['x-guichet-completion']).toBe(completion);
    expect(polls.indexOf(withCode[0])).toBeGreaterThan(0);
    expect(dialog.isClosed()).toBe(true);
    const events = await addinEvents(page);
    expect(events.filter((event) => event.step === 'completion')).toHaveLength(1);
    expect(events.filter((event) => event.step === 'poll' && event.withCompletion).map((event) => event.status)).toEqual([200]);

    // The same poll again, from the add-in's page with its cookie: the token is gone.
    const replay = await page.evaluate(
      async ({ url, headers }) => (await fetch(url, { method: 'POST', credentials: 'include', headers })).status,
      { url: withCode[0].url(), headers: { 'X-CSRFToken': withCode[0].headers()['x-csrftoken'], 'X-Guichet-Completion': completion } },
    );
    expect(replay).toBe(404);

    // The code never travelled in a URL, and is stored nowhere but as its hash.
    expect(requests.filter((request) => request.url().includes(completion))).toEqual([]);
    const store = storeOf(guichet);
    for (const table of ['addinSessions', 'transitTokens', 'sessions'] as const) {
      expect(JSON.stringify(await store.all(table))).not.toContain(completion);
    }
    expect(violations).toEqual([]);
    await page.close();
  }, 60_000);

  it('stops, and spends the transit token, when the person closes the dialog before confirming', async () => {
    const page = await context.newPage();
    await page.goto(`${addin.origin}/`);
    const dialog = await startSignIn(page);
    // The person is still signed in at the IdP since the first test: the dialog goes straight to the confirmation.
    await dialog.waitForURL(`${guichet.publicUrl}/addons/callback`);
    await dialog.locator('#confirm').waitFor({ state: 'visible' });
    const cancelled = page.waitForResponse((response) => new URL(response.url()).pathname === '/addons/sessions/cancel');
    await dialog.close();
    expect(await addinResult(page)).toEqual({ error: 'closed', message: 'the sign-in window was closed before the sign-in completed' });
    expect((await cancelled).status()).toBe(200);
    await page.close();
  }, 30_000);
});
