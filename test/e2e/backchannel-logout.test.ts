import type { LocalGuichet } from '../../local/start';
import { TestBrowser } from '../support/browser';
import { logOutAtDevIdp, signInAtDevIdp } from '../support/dev-idp-login';
import { startTestGuichet } from '../support/local-guichet';

let guichet: LocalGuichet;

beforeAll(async () => {
  guichet = await startTestGuichet();
});
afterAll(() => guichet?.close());

const sessionStatus = (token: string) =>
  fetch(`${guichet.publicUrl}/auth/session`, { headers: { authorization: `Bearer ${token}` } }).then((r) => r.status);

/** Polls until the session is gone: the IdP delivers the logout token right after its logout, not inside it. */
async function waitForLogout(token: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const status = await sessionStatus(token);
    if (status !== 200) return status;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return sessionStatus(token);
}

describe('back-channel logout from the development IdP', () => {
  it('ends the guichet session when the person logs out at the IdP', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, `${guichet.publicUrl}/auth/login`, 'quinn');
    await browser.request(callbackUrl.href);
    const token = browser.cookie('guichet_session')!;
    expect(await sessionStatus(token)).toBe(200);

    // The person logs out at the IdP itself, not through guichet.
    const loggedOut = await logOutAtDevIdp(browser, guichet.issuer);
    expect(loggedOut.status).toBeLessThan(400);

    expect(await waitForLogout(token)).toBe(401);
  });
});
