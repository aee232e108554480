import type { Browser, BrowserContext } from 'playwright-core';
import type { LocalGuichet } from '../../../local/start';
import { receivedMessages, signInInDialog, startRecordingPage } from '../../support/addin-page';
import { TestBrowser } from '../../support/browser';
import { launchChromium, loopbackOnlyContext } from '../../support/chromium';
import { startTestGuichet } from '../../support/local-guichet';

/**
 * Add-in consent phishing (RFC 8628 §5.4), run as an attacker would: a script starts an add-in login, forging the
 * `Origin` of a listed add-in and keeping the cookie and the CSRF token, and sends the transit link to victims.
 * One victim opens it directly, another through a page of the attacker's own origin; both sign in at the IdP and
 * confirm. The script polls all along, until the add-in login expires: it sees "pending" and "confirmed", never a
 * token, since the completion code only ever goes to a window of the add-in's origin. A short add-in session
 * lifetime keeps "the whole lifetime" cheap.
 */
const LISTED_ADDIN_ORIGIN = 'https://addin.example.test';
const SESSION_TTL_SECONDS = 40;

let guichet: LocalGuichet;
let browser: Browser | undefined;
/** The attacker's page: it opens guichet's dialog on the transit link, and records every message it receives. */
let attackerSite: Awaited<ReturnType<typeof startRecordingPage>>;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  attackerSite = await startRecordingPage();
  guichet = await startTestGuichet({
    CORS_ORIGINS: LISTED_ADDIN_ORIGIN,
    ADDONS_SESSION_TTL_SECONDS: String(SESSION_TTL_SECONDS),
    ADDONS_TRANSIT_TOKEN_TTL_SECONDS: String(SESSION_TTL_SECONDS - 5),
  });
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await guichet?.close();
  await attackerSite?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The attacker's script: init with a forged listed Origin, then polls (long polls, as an add-in would) until guichet
 * says the login is gone. Returns the transit link's token, and every answer its polls got.
 */
async function scriptStartsLogin() {
  const script = new TestBrowser();
  const headers = { origin: LISTED_ADDIN_ORIGIN, 'content-type': 'application/json' };
  const body = JSON.stringify({ addin_name: 'Calendar' });
  const init = await script.request(`${guichet.publicUrl}/addons/sessions/init`, { method: 'POST', headers, body });
  expect(init.status).toBe(201);
  const { transit_token: transitToken, csrf_token: csrfToken } = (await init.json()) as { transit_token: string; csrf_token: string };
  const pollUntilGone = async () => {
    const answers: { status: number; body: Record<string, unknown> }[] = [];
    for (;;) {
      const poll = await script.request(`${guichet.publicUrl}/addons/sessions/poll?wait=5`, {
        method: 'POST',
        headers: { origin: LISTED_ADDIN_ORIGIN, 'X-CSRFToken': csrfToken },
      });
      const body = (await poll.json()) as Record<string, unknown>;
      answers.push({ status: poll.status, body });
      if (poll.status === 202 && body.state === 'pending') continue;
      if (poll.status === 202 || poll.status === 429) await sleep(1000);
      else return answers;
    }
  };
  return { transitToken, polling: pollUntilGone() };
}

/** A victim's browser: its own context (its own IdP session), loopback only. */
async function victimBrowser(): Promise<BrowserContext> {
  const { context } = await loopbackOnlyContext(browser!);
  contexts.push(context);
  return context;
}

describe('add-in consent phishing', () => {
  it(
    'never gives the script a token for the whole add-in login, a victim opening the link directly or from another origin',
    async () => {
      const direct = await scriptStartsLogin();
      const fromAttackerPage = await scriptStartsLogin();
      const link = (transitToken: string) => `${guichet.publicUrl}/addons/transit#transit_token=${transitToken}`;

      // Victim 1 opens the link directly: nobody to hand a completion code to, so the page asks for no confirmation.
      const victim1 = await (await victimBrowser()).newPage();
      await victim1.goto(link(direct.transitToken));
      await signInInDialog(victim1, guichet, 'victim1');
      await victim1.waitForFunction(() => document.getElementById('message')?.textContent?.startsWith('To finish signing in'));
      expect(await victim1.locator('#message').textContent()).toBe(
        'To finish signing in, go back to the add-in and start from there. If you did not start this sign-in, close this page.',
      );
      expect(await victim1.locator('#confirm').isHidden()).toBe(true);
      // Even if the victim's browser confirmed anyway, the completion code would stay in the victim's tab.
      const confirmedAnyway = await victim1.evaluate(async (transitToken) => {
        const response = await fetch('/addons/sessions/exchange', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ transit_token: transitToken }),
        });
        return response.status;
      }, direct.transitToken);
      expect(confirmedAnyway).toBe(200);

      // Victim 2 follows the attacker's page, which opens guichet's dialog itself, and confirms in it.
      const attackerPage = await (await victimBrowser()).newPage();
      await attackerPage.goto(`${attackerSite.origin}/`);
      const [dialog] = await Promise.all([
        attackerPage.context().waitForEvent('page'),
        attackerPage.evaluate((url) => void window.open(url, '_blank', 'popup'), link(fromAttackerPage.transitToken)),
      ]);
      await signInInDialog(dialog, guichet, 'victim2');
      await dialog.locator('#confirm').waitFor({ state: 'visible' });
      expect(await dialog.locator('#message').textContent()).toBe(
        'Sign in to Calendar as victim2@example.test? Only confirm if you started this from the add-in.',
      );
      const exchanged = dialog.waitForResponse((response) => new URL(response.url()).pathname === '/addons/sessions/exchange');
      await dialog.locator('#confirm').click();
      expect((await exchanged).status()).toBe(200);
      await dialog.waitForFunction(() => document.getElementById('message')?.textContent?.startsWith('Signed in.'));

      // Both scripts polled until their add-in login expired, and never saw anything but pending and confirmed.
      for (const { polling } of [direct, fromAttackerPage]) {
        const answers = await polling;
        const last = answers.at(-1)!;
        expect(last).toEqual({ status: 404, body: { error: 'not_found', error_description: 'the add-in login has expired' } });
        const seen = new Set(
          answers
            .slice(0, -1)
            .map((answer) => (answer.status === 429 ? '429 slow_down' : `${answer.status} ${JSON.stringify(answer.body)}`)),
        );
        const expected = ['202 {"state":"pending"}', '202 {"state":"confirmed"}', '429 slow_down'];
        expect([...seen].filter((answer) => !expected.includes(answer))).toEqual([]);
        expect(seen.has('202 {"state":"confirmed"}')).toBe(true);
        expect(JSON.stringify(answers)).not.toContain('access_token');
      }
      // The browser dropped the code addressed to the add-in's origin: the attacker's page received nothing.
      expect(await receivedMessages(attackerPage)).toEqual([]);
    },
    (SESSION_TTL_SECONDS + 60) * 1000,
  );
});
