import type { TestBrowser } from './browser';

export interface IdpRoundTrip {
  /** The authorization request guichet sent the browser to. */
  readonly authorizationRequest: URL;
  /** guichet's callback URL the IdP sent the browser back to, not yet requested. */
  readonly callbackUrl: URL;
}

/**
 * Plays a person at the development IdP: follows guichet's /auth/login redirect, signs in as `username`
 * on the IdP's login page and follows the redirects until the next one would reach guichet's callback.
 */
export async function signInAtDevIdp(browser: TestBrowser, loginUrl: string, username: string): Promise<IdpRoundTrip> {
  const login = await browser.request(loginUrl);
  if (login.status !== 302) throw new Error(`/auth/login answered ${login.status}: ${await login.text()}`);
  const authorizationRequest = new URL(login.headers.get('location')!);

  const toLoginPage = await browser.follow(authorizationRequest.href);
  const pageUrl = toLoginPage.hops.at(-1)!.url;
  const formAction = (await toLoginPage.response.text()).match(/<form method="post" action="([^"]+)"/)?.[1];
  if (!formAction) throw new Error(`no login form at ${pageUrl}`);

  const submitted = await browser.submitForm(new URL(formAction, pageUrl).href, { username });
  const resumeUrl = new URL(submitted.headers.get('location')!, pageUrl).href;
  const guichetOrigin = new URL(loginUrl).origin;
  const back = await browser.follow(resumeUrl, (next) => new URL(next).origin === guichetOrigin);
  const last = back.hops.at(-1)!;
  if (!last.location) throw new Error(`the IdP did not send the browser back (status ${last.status})`);
  return { authorizationRequest, callbackUrl: new URL(last.location, last.url) };
}

/**
 * Plays the person signing out at the development IdP itself (not through guichet): its end-session page, then its
 * confirmation form. The IdP posts its logout token to guichet before it answers the form.
 */
export async function logOutAtDevIdp(browser: TestBrowser, issuer: string): Promise<Response> {
  const confirmation = await browser.request(`${issuer}/session/end`);
  const page = await confirmation.text();
  const action = page.match(/<form[^>]*id="op.logoutForm"[^>]*action="([^"]+)"/)?.[1] ?? page.match(/action="([^"]+)"/)?.[1];
  const xsrf = page.match(/name="xsrf" value="([^"]+)"/)?.[1];
  if (!action || !xsrf) throw new Error(`no logout form at ${issuer}/session/end`);
  return browser.submitForm(new URL(action, issuer).href, { xsrf, logout: 'yes' });
}
