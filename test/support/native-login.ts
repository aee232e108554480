import { TestBrowser } from './browser';
import { signInAtDevIdp } from './dev-idp-login';
import { pkcePair } from './pkce';

export interface NativeLogin {
  readonly sessionToken: string;
  /** The system browser the login ran in: it holds the person's session at the IdP (to sign out there). */
  readonly browser: TestBrowser;
}

/**
 * A native app's whole login against the development IdP, as the app drives it: the system browser through
 * /auth/login and the IdP back to guichet, the custom-scheme redirect with the one-time code, and its exchange for
 * a session token. The one place the tests take a native login's steps from.
 */
export async function nativeLogin(publicUrl: string, user: string): Promise<NativeLogin> {
  const { verifier, challenge } = pkcePair();
  const browser = new TestBrowser();
  const { callbackUrl } = await signInAtDevIdp(
    browser,
    `${publicUrl}/auth/login?returnTo=${encodeURIComponent('visio://auth/done')}&code_challenge=${challenge}&code_challenge_method=S256`,
    user,
  );
  const callback = await browser.request(callbackUrl.href);
  const code = new URL(callback.headers.get('location')!).searchParams.get('code');
  const exchanged = await fetch(`${publicUrl}/auth/session-exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code, code_verifier: verifier }),
  });
  if (exchanged.status !== 200) throw new Error(`the session exchange answered ${exchanged.status}: ${await exchanged.text()}`);
  return { sessionToken: ((await exchanged.json()) as { session_token: string }).session_token, browser };
}
