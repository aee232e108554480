import type { LocalGuichet } from '../../local/start';
import { startTestGuichet } from '../support/local-guichet';
import { TestBrowser } from '../support/browser';
import { signInAtDevIdp } from '../support/dev-idp-login';
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

describe('native-app login through the system browser', () => {
  it('returns a one-time code to the custom scheme and swaps it for a Bearer session', async () => {
    const { verifier, challenge } = pkcePair();
    const loginUrl =
      `${guichet.publicUrl}/auth/login?returnTo=${encodeURIComponent('visio://auth/done')}` +
      `&code_challenge=${challenge}&code_challenge_method=S256&state=app-state-7`;

    const systemBrowser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(systemBrowser, loginUrl, 'jules');
    const callback = await systemBrowser.request(callbackUrl.href);

    expect(callback.status).toBe(302);
    const appRedirect = new URL(callback.headers.get('location')!);
    expect(appRedirect.protocol).toBe('visio:');
    expect(appRedirect.host + appRedirect.pathname).toBe('auth/done');
    expect(appRedirect.searchParams.get('state')).toBe('app-state-7');
    const code = appRedirect.searchParams.get('code')!;
    expect(code).toMatch(/^[\w-]{43}$/);
    expect(systemBrowser.cookie('guichet_session')).toBeUndefined();

    const exchanged = await exchange({ code, code_verifier: verifier });
    expect(exchanged.status).toBe(200);
    expect(exchanged.headers.get('cache-control')).toBe('no-store');
    const { session_token: token, token_type: tokenType, user } = await exchanged.json();
    expect(tokenType).toBe('Bearer');
    expect(user).toEqual({ sub: 'jules', email: 'jules@example.test', name: 'jules' });
    expect(callback.headers.get('location')).not.toContain(token);

    const session = await fetch(`${guichet.publicUrl}/auth/session`, { headers: { authorization: `Bearer ${token}` } });
    expect(session.status).toBe(200);
    expect((await session.json()).user.sub).toBe('jules');

    const replay = await exchange({ code, code_verifier: verifier });
    expect(replay.status).toBe(400);
    expect((await replay.json()).error).toBe('invalid_grant');
  });

  it('refuses an app that hijacked the scheme but lacks the verifier, and burns the code', async () => {
    const { verifier, challenge } = pkcePair();
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(
      browser,
      `${guichet.publicUrl}/auth/login?returnTo=visio%3A%2F%2Fauth&code_challenge=${challenge}&code_challenge_method=S256`,
      'kim',
    );
    const code = new URL((await browser.request(callbackUrl.href)).headers.get('location')!).searchParams.get('code')!;

    const hijacker = await exchange({ code, code_verifier: pkcePair().verifier });
    expect(hijacker.status).toBe(400);
    const legitimate = await exchange({ code, code_verifier: verifier });
    expect(legitimate.status).toBe(400);
  });
});
