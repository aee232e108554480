import { ADDIN_SETTINGS, confirmAddin, exchangeEvent, openAddin, pollEvent, statusesOf } from '../support/addins';
import { httpEvent } from '../support/api-event';
import { TestBrowser } from '../support/browser';
import { signInAtDevIdp } from '../support/dev-idp-login';
import { type Integration, invoke, startIntegration } from '../support/integration';
import { confirmationForm, nativeLoginRedirect, nativeLoginUrl } from '../support/native-login';
import { pkcePair } from '../support/pkce';
import { storedSession } from '../support/sessions';

/**
 * Every single-use value, raced by many simultaneous consumers, round after round: exactly one wins each
 * time. (The logout-token jti race is in the back-channel logout tests, which need a signing IdP.)
 */
const ROUNDS = 5;
let integration: Integration;
let handlers: {
  callback: typeof import('../../lambdas/handlers/auth/callback').handler;
  nativeContinue: typeof import('../../lambdas/handlers/auth/native-continue').handler;
  sessionExchange: typeof import('../../lambdas/handlers/auth/session-exchange').handler;
  init: typeof import('../../lambdas/handlers/addins/sessions-init').handler;
  addinExchange: typeof import('../../lambdas/handlers/addins/sessions-exchange').handler;
  poll: typeof import('../../lambdas/handlers/addins/sessions-poll').handler;
};

beforeAll(async () => {
  integration = await startIntegration({ ADDONS_RATE_LIMIT: '100000', SESSION_EXCHANGE_FAILURE_LIMIT: '100000', ...ADDIN_SETTINGS });
  handlers = {
    callback: (await import('../../lambdas/handlers/auth/callback')).handler,
    nativeContinue: (await import('../../lambdas/handlers/auth/native-continue')).handler,
    sessionExchange: (await import('../../lambdas/handlers/auth/session-exchange')).handler,
    init: (await import('../../lambdas/handlers/addins/sessions-init')).handler,
    addinExchange: (await import('../../lambdas/handlers/addins/sessions-exchange')).handler,
    poll: (await import('../../lambdas/handlers/addins/sessions-poll')).handler,
  };
});
afterAll(() => integration?.guichet.close());

const winners = (statuses: (number | undefined)[], success: number) => statuses.filter((status) => status === success).length;
const times = <T>(count: number, make: () => Promise<T>) => Promise.all(Array.from({ length: count }, make));

describe.each(Array.from({ length: ROUNDS }, (_, round) => [round + 1]))('round %i', () => {
  it('one of 20 callbacks with the same login state opens a session', async () => {
    const browser = new TestBrowser();
    const { callbackUrl } = await signInAtDevIdp(browser, `${integration.guichet.publicUrl}/auth/login`, 'racer');
    const state = callbackUrl.searchParams.get('state')!;
    const event = () =>
      httpEvent({ path: '/auth/callback', query: callbackUrl.search.slice(1), cookies: [`guichet_login_state=${state}`] });
    expect(winners(statusesOf(await times(20, () => invoke(handlers.callback, event()))), 302)).toBe(1);
  });

  it('one of 20 clicks on the same native confirmation gets an exchange code', async () => {
    const browser = new TestBrowser();
    const loginUrl = nativeLoginUrl(integration.guichet.publicUrl, { challenge: pkcePair().challenge });
    const { callbackUrl } = await signInAtDevIdp(browser, loginUrl, 'racer');
    const { continuation } = confirmationForm(await (await browser.request(callbackUrl.href)).text());
    const event = () =>
      httpEvent({
        method: 'POST',
        path: '/auth/native/continue',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        cookies: [`guichet_native_continuation=${browser.cookie('guichet_native_continuation')}`],
        body: new URLSearchParams({ continuation }).toString(),
      });
    expect(winners(statusesOf(await times(20, () => invoke(handlers.nativeContinue, event()))), 302)).toBe(1);
  });

  it('one of 50 exchanges of the same native code gets the session', async () => {
    const { verifier, challenge } = pkcePair();
    const redirect = await nativeLoginRedirect(new TestBrowser(), integration.guichet.publicUrl, 'racer', { challenge });
    const code = redirect.searchParams.get('code')!;
    const event = () =>
      httpEvent({
        method: 'POST',
        path: '/auth/session-exchange',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ code, code_verifier: verifier }),
      });
    expect(winners(statusesOf(await times(50, () => invoke(handlers.sessionExchange, event()))), 200)).toBe(1);
  });

  it('one of 20 exchanges of the same transit token completes the add-in login', async () => {
    const web = await storedSession(integration.store);
    const addin = await openAddin(handlers.init);
    const results = await times(20, () => invoke(handlers.addinExchange, exchangeEvent(addin.transitToken, web.token)));
    expect(winners(statusesOf(results), 200)).toBe(1);
  });

  it('one of 20 polls of the same confirmed add-in session with its completion code gets the token', async () => {
    const web = await storedSession(integration.store);
    const addin = await openAddin(handlers.init);
    const { completion } = await confirmAddin(handlers.addinExchange, addin, web.token);
    expect(winners(statusesOf(await times(20, () => invoke(handlers.poll, pollEvent({ ...addin, completion })))), 200)).toBe(1);
  });
});
