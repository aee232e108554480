import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import type { LocalGuichet } from '../../../local/start';
import { type CspViolation, launchChromium, loopbackOnlyContext, recordCspViolations } from '../../support/chromium';
import { startTestGuichet, storeOf } from '../../support/local-guichet';
import { nativeLoginUrl } from '../../support/native-login';
import { pkcePair } from '../../support/pkce';

/**
 * The confirmation page of a native login in a real browser, under its real Content-Security-Policy. What only a
 * browser shows: that its form post carries guichet's `Origin` (under `no-referrer` it would be `null`, and the
 * endpoint would refuse it), and that `form-action`, which also governs the redirect answering the post, lets the
 * browser on to the app's custom scheme.
 */
const RETURN_TO = 'visio://browser-test';

let guichet: LocalGuichet;
let browser: Browser | undefined;
let context: BrowserContext;
let violations: CspViolation[];
let page: Page;
const consoleMessages: string[] = [];

beforeAll(async () => {
  guichet = await startTestGuichet();
  browser = await launchChromium();
  ({ context } = await loopbackOnlyContext(browser));
  violations = await recordCspViolations(context);
  page = await context.newPage();
  page.on('console', (message) => consoleMessages.push(message.text()));
}, 60_000);

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await browser?.close();
  await guichet?.close();
});

describe('the native login confirmation page in Chromium', () => {
  it("posts Continue with guichet's Origin, and its answer may send the browser on to the custom scheme", async () => {
    await page.goto(nativeLoginUrl(guichet.publicUrl, { challenge: pkcePair().challenge, returnTo: RETURN_TO, state: 'app-1' }));
    await page.waitForURL((url) => url.origin === guichet.issuer && url.pathname.startsWith('/interaction/'));
    await page.locator('input[name="username"]').fill('zoe');
    await page.locator('form button[type="submit"]').click();
    await page.waitForURL((url) => url.href.startsWith(`${guichet.publicUrl}/auth/callback?`));
    expect(await page.locator('#user').textContent()).toBe('zoe (zoe@example.test)');
    expect(await storeOf(guichet).all('exchangeCodes')).toEqual([]);

    const isContinue = (sent: Request) => sent.url() === `${guichet.publicUrl}/auth/native/continue` && sent.method() === 'POST';
    const [request] = await Promise.all([page.waitForEvent('requestfailed', isContinue), page.locator('#confirm').click()]);

    expect(request.headers().origin).toBe(guichet.publicUrl);
    // guichet answered 302 with a code: the browser then hands the scheme to the operating system, which has no
    // handler for it here, so the navigation ends as aborted, after the CSP checked the redirect.
    expect(request.failure()?.errorText).toBe('net::ERR_ABORTED');
    expect(await storeOf(guichet).all('exchangeCodes')).toHaveLength(1);
    // One click only: the page says what happens, and the button is spent.
    expect(await page.locator('#message').textContent()).toBe('Opening the app. You can close this page.');
    expect(await page.locator('#confirm').isDisabled()).toBe(true);

    // A violation reaches the page as an event queued before the navigation ends; one turn of its event loop lets it
    // be recorded. (With form-action 'self' alone, Chromium refuses the redirect and reports it here.)
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(violations).toEqual([]);
    expect(consoleMessages.filter((text) => /Content Security Policy/i.test(text))).toEqual([]);
  }, 30_000);
});
