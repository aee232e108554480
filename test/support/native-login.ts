import { TestBrowser } from './browser';
import { signInAtDevIdp } from './dev-idp-login';
import { pkcePair } from './pkce';

/**
 * The confirmation page that ends a native login's callback (RFC 8252 §8.6), read as a browser would: where its
 * form posts, and its hidden `continuation` field.
 */
export interface ConfirmationForm {
  readonly action: string;
  readonly continuation: string;
}

export function confirmationForm(pageHtml: string): ConfirmationForm {
  const action = pageHtml.match(/<form id="continue-form" method="post" action="([^"]+)"/)?.[1];
  const continuation = pageHtml.match(/<input type="hidden" name="continuation" value="([^"]+)"/)?.[1];
  if (!action || !continuation) throw new Error(`no confirmation form in the page:\n${pageHtml}`);
  return { action, continuation };
}

/**
 * Clicks Continue on the confirmation page that `callback` answered: posts its form from `browser`, with the
 * `Origin` a browser sends (the page's own). `continuation` replaces the page's value (a replay, a forgery).
 */
export async function clickContinue(browser: TestBrowser, callback: Response, continuation?: string): Promise<Response> {
  if (callback.status !== 200) throw new Error(`the callback answered ${callback.status}: ${await callback.text()}`);
  const form = confirmationForm(await callback.text());
  return postContinuation(browser, form.action, continuation ?? form.continuation);
}

export function postContinuation(browser: TestBrowser, action: string, continuation: string): Promise<Response> {
  return browser.request(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: new URL(action).origin },
    body: new URLSearchParams({ continuation }).toString(),
  });
}

export interface NativeLoginRequest {
  readonly challenge: string;
  /** @default visio://auth/done */
  readonly returnTo?: string;
  readonly state?: string;
}

/** `/auth/login` for a native app: its custom-scheme `returnTo` and its S256 challenge. */
export function nativeLoginUrl(publicUrl: string, request: NativeLoginRequest): string {
  const query = new URLSearchParams({
    returnTo: request.returnTo ?? 'visio://auth/done',
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
    ...(request.state === undefined ? {} : { state: request.state }),
  });
  return `${publicUrl}/auth/login?${query}`;
}

/**
 * A person's whole native login in the system browser, at the development IdP: the callback's confirmation page,
 * then Continue. Returns the redirect to the app's scheme, which carries the exchange code.
 */
export async function nativeLoginRedirect(
  browser: TestBrowser,
  publicUrl: string,
  user: string,
  request: NativeLoginRequest,
): Promise<URL> {
  const { callbackUrl } = await signInAtDevIdp(browser, nativeLoginUrl(publicUrl, request), user);
  const continued = await clickContinue(browser, await browser.request(callbackUrl.href));
  if (continued.status !== 302) throw new Error(`/auth/native/continue answered ${continued.status}: ${await continued.text()}`);
  return new URL(continued.headers.get('location')!);
}

export interface NativeLogin {
  readonly sessionToken: string;
  /** The system browser the login ran in: it holds the person's session at the IdP (to sign out there). */
  readonly browser: TestBrowser;
}

/**
 * A native app's whole login against the development IdP, as the app drives it: the system browser through
 * /auth/login, the IdP, the confirmation page and Continue, the custom-scheme redirect with the one-time code,
 * and its exchange for a session token.
 */
export async function nativeLogin(publicUrl: string, user: string): Promise<NativeLogin> {
  const { verifier, challenge } = pkcePair();
  const browser = new TestBrowser();
  const redirect = await nativeLoginRedirect(browser, publicUrl, user, { challenge });
  const exchanged = await fetch(`${publicUrl}/auth/session-exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: redirect.searchParams.get('code'), code_verifier: verifier }),
  });
  if (exchanged.status !== 200) throw new Error(`the session exchange answered ${exchanged.status}: ${await exchanged.text()}`);
  return { sessionToken: ((await exchanged.json()) as { session_token: string }).session_token, browser };
}
