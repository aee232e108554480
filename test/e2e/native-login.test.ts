import { sha256 } from '../../lambdas/shared/crypto';
import type { LocalGuichet } from '../../local/start';
import { TestBrowser } from '../support/browser';
import { signInAtDevIdp } from '../support/dev-idp-login';
import { startTestGuichet, storeOf } from '../support/local-guichet';
import { clickContinue, confirmationForm, nativeLoginRedirect, nativeLoginUrl, postContinuation } from '../support/native-login';
import { pkcePair } from '../support/pkce';

let guichet: LocalGuichet;

beforeAll(async () => {
  guichet = await startTestGuichet();
});
afterAll(() => guichet?.close());

const exchange = (body: unknown) =>
  fetch(`${guichet.publicUrl}/auth/session-exchange`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** A native login up to the callback's answer: the confirmation page, in `browser`. */
async function signedInUntilConfirmation(browser: TestBrowser, user: string, challenge: string, state?: string) {
  const { callbackUrl } = await signInAtDevIdp(browser, nativeLoginUrl(guichet.publicUrl, { challenge, state }), user);
  return browser.request(callbackUrl.href);
}

const exchangeCodes = () => storeOf(guichet).all('exchangeCodes');

describe('native-app login through the system browser', () => {
  it('asks the person first: the callback mints no code, the app can redeem nothing, until they click Continue', async () => {
    const { verifier, challenge } = pkcePair();
    const systemBrowser = new TestBrowser();
    const codesBefore = (await exchangeCodes()).length;

    const callback = await signedInUntilConfirmation(systemBrowser, 'jules', challenge, 'app-state-7');

    expect(callback.status).toBe(200);
    expect(callback.headers.get('location')).toBeNull();
    expect(callback.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(callback.headers.get('cache-control')).toBe('no-store');
    expect(callback.headers.get('content-security-policy')).toContain("form-action 'self' visio:");
    const page = await callback.clone().text();
    expect(page).toContain('<strong>visio:</strong>');
    expect(page).toContain('jules (jules@example.test)');
    expect(page).toContain('Continue only if you started signing in to that app');
    expect(systemBrowser.cookie('guichet_session')).toBeUndefined();
    expect(systemBrowser.cookie('guichet_native_continuation')).toMatch(/^[\w-]{43}$/);

    // Nothing the app could redeem exists yet: no code, and neither the page's value nor a guess exchanges.
    expect(await exchangeCodes()).toHaveLength(codesBefore);
    const { continuation } = confirmationForm(page);
    for (const code of [continuation, 'A'.repeat(43)]) {
      const refused = await exchange({ code, code_verifier: verifier });
      expect(refused.status).toBe(400);
      expect((await refused.json()).error).toBe('invalid_grant');
    }

    const continued = await clickContinue(systemBrowser, callback);

    expect(continued.status).toBe(302);
    expect(continued.headers.get('cache-control')).toBe('no-store');
    expect(systemBrowser.cookie('guichet_native_continuation')).toBeUndefined();
    const appRedirect = new URL(continued.headers.get('location')!);
    expect(appRedirect.protocol).toBe('visio:');
    expect(appRedirect.host + appRedirect.pathname).toBe('auth/done');
    expect(appRedirect.searchParams.get('state')).toBe('app-state-7');
    const code = appRedirect.searchParams.get('code')!;
    expect(code).toMatch(/^[\w-]{43}$/);
    expect(await exchangeCodes()).toHaveLength(codesBefore + 1);

    const exchanged = await exchange({ code, code_verifier: verifier });
    expect(exchanged.status).toBe(200);
    expect(exchanged.headers.get('cache-control')).toBe('no-store');
    const { session_token: token, token_type: tokenType, user } = await exchanged.json();
    expect(tokenType).toBe('Bearer');
    expect(user).toEqual({ sub: 'jules', email: 'jules@example.test', name: 'jules' });
    expect(continued.headers.get('location')).not.toContain(token);
    expect(page).not.toContain(token);

    const session = await fetch(`${guichet.publicUrl}/auth/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(session.status).toBe(200);
    expect((await session.json()).user.sub).toBe('jules');

    const replay = await exchange({ code, code_verifier: verifier });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error).toBe('invalid_grant');
  });

  it('refuses a continuation from another browser, a replayed one and an expired one: 400 and no code', async () => {
    const refusedWithoutCode = async (answer: Promise<Response>) => {
      const codesBefore = (await exchangeCodes()).length;
      const response = await answer;
      expect(response.status).toBe(400);
      expect(response.headers.get('location')).toBeNull();
      expect((await response.json()).error).toBe('invalid_request');
      expect(await exchangeCodes()).toHaveLength(codesBefore);
    };

    // Another browser: the continuation alone, without the cookie of the browser that did the login.
    const victim = new TestBrowser();
    const page = await (await signedInUntilConfirmation(victim, 'noor', pkcePair().challenge)).text();
    const { action, continuation } = confirmationForm(page);
    await refusedWithoutCode(postContinuation(new TestBrowser(), action, continuation));
    // That attempt burnt it: the page's own Continue finds it gone.
    await refusedWithoutCode(postContinuation(victim, action, continuation));

    // Replayed: the first click gets the code, the second nothing.
    const person = new TestBrowser();
    const callback = await signedInUntilConfirmation(person, 'ines', pkcePair().challenge);
    const form = confirmationForm(await callback.clone().text());
    expect((await clickContinue(person, callback)).status).toBe(302);
    await refusedWithoutCode(postContinuation(person, form.action, form.continuation));

    // Expired: its row outlives its expiry (TTL deletion lags); the expiry is checked on read.
    const late = new TestBrowser();
    const expiring = confirmationForm(await (await signedInUntilConfirmation(late, 'omar', pkcePair().challenge)).text());
    const store = storeOf(guichet);
    const row = (await store.get('nativeContinuations', sha256(expiring.continuation)))!;
    await store.put('nativeContinuations', { ...row, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    await refusedWithoutCode(postContinuation(late, expiring.action, expiring.continuation));
  });

  it('refuses an app that hijacked the scheme but lacks the verifier, and burns the code', async () => {
    const { verifier, challenge } = pkcePair();
    const redirect = await nativeLoginRedirect(new TestBrowser(), guichet.publicUrl, 'kim', { challenge, returnTo: 'visio://auth' });
    const code = redirect.searchParams.get('code')!;

    const hijacker = await exchange({ code, code_verifier: pkcePair().verifier });
    expect(hijacker.status).toBe(400);
    const legitimate = await exchange({ code, code_verifier: verifier });
    expect(legitimate.status).toBe(400);
  });
});
