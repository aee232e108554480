import type { LocalGuichet } from '../../local/start';
import { TestBrowser } from '../support/browser';
import { signInAtDevIdp } from '../support/dev-idp-login';
import { startTestGuichet } from '../support/local-guichet';
import { clickContinue, confirmationForm, nativeLoginUrl } from '../support/native-login';
import { pkcePair } from '../support/pkce';

let guichet: LocalGuichet;

beforeAll(async () => {
  guichet = await startTestGuichet();
});

afterAll(() => guichet?.close());

describe('logs of a whole web login', () => {
  it('are structured, correlated by request id, and contain no state, code, token or cookie', async () => {
    const startedAt = guichet.log.records.length;
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, `${guichet.publicUrl}/auth/login`, 'frank');
    await browser.request(callbackUrl.href);
    const sessionToken = browser.cookie('guichet_session')!;
    await browser.request(`${guichet.publicUrl}/auth/session`);
    await browser.request(`${guichet.publicUrl}/auth/logout`, { method: 'POST' });

    // Everything every function wrote, as CloudWatch Logs would receive it.
    const written = guichet.log.records.slice(startedAt);
    const records = written.map((record) => record.line);
    const messages = written.map((record) => record.json!);
    expect(messages.every((message) => message !== undefined)).toBe(true);
    expect(messages.map((m) => m.message)).toEqual(expect.arrayContaining(['session created', 'login succeeded', 'session ended']));
    // A new execution environment's one record of its init belongs to no request; every other record does.
    const initRecords = messages.filter((message) => message.message === 'execution environment initialized');
    for (const message of messages) {
      expect(message.service).toBe('guichet');
      if (!initRecords.includes(message)) expect(message.correlation_id).toEqual(expect.any(String));
    }
    const powertoolsKeys = ['level', 'message', 'sampling_rate', 'service', 'timestamp', 'xray_trace_id'];
    expect(initRecords.flatMap((message) => Object.keys(message)).filter((key) => !powertoolsKeys.includes(key))).toEqual([]);
    const text = records.join('\n');
    for (const secret of [sessionToken, callbackUrl.searchParams.get('state')!, callbackUrl.searchParams.get('code')!]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe('logs of a whole native login', () => {
  it('contain no continuation, binding cookie, exchange code, verifier or session token', async () => {
    const startedAt = guichet.log.records.length;
    const { verifier, challenge } = pkcePair();
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, nativeLoginUrl(guichet.publicUrl, { challenge }), 'nina');
    const callback = await browser.request(callbackUrl.href);
    const { continuation } = confirmationForm(await callback.clone().text());
    const binding = browser.cookie('guichet_native_continuation')!;
    const continued = await clickContinue(browser, callback);
    const code = new URL(continued.headers.get('location')!).searchParams.get('code')!;
    const exchanged = await fetch(`${guichet.publicUrl}/auth/session-exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code, code_verifier: verifier }),
    });
    const { session_token: sessionToken } = await exchanged.json();

    const written = guichet.log.records.slice(startedAt);
    expect(written.map((record) => record.json?.message)).toEqual(
      expect.arrayContaining(['native login awaits confirmation', 'exchange code issued', 'exchange code redeemed']),
    );
    const text = written.map((record) => record.line).join('\n');
    for (const secret of [continuation, binding, code, verifier, sessionToken]) {
      expect(secret).toMatch(/^[\w-]{43}$/);
      expect(text).not.toContain(secret);
    }
  });
});
