import { decodeJwt } from 'jose';
import { runApps } from '../../cli/run-apps';
import type { LocalGuichet } from '../../local/start';
import { ADDIN_ORIGIN, ADDIN_SETTINGS } from '../support/addins';
import { TestBrowser } from '../support/browser';
import { runCli } from '../support/cli-run';
import { signInAtDevIdp } from '../support/dev-idp-login';
import { cliEnvironment, startTestGuichet } from '../support/local-guichet';
import { clickContinue } from '../support/native-login';
import { pkcePair } from '../support/pkce';

/**
 * A bounded mixed-flow load on the local server (loopback only; it stops by itself): web logins, native
 * logins with their confirmation and exchange, add-in logins and client-credentials tokens, all at once. Every request
 * must succeed, every issued session must be readable afterwards, and no single-use value may work twice.
 */
const WORKERS = 8;
const ROUNDS = 4;

let guichet: LocalGuichet;
let client: { client_id: string; client_secret: string };

beforeAll(async () => {
  guichet = await startTestGuichet({
    // Every worker comes from 127.0.0.1: the per-address budgets would otherwise throttle the load itself.
    ADDONS_RATE_LIMIT: '100000',
    TOKEN_FAILURE_LIMIT: '100000',
    SESSION_EXCHANGE_FAILURE_LIMIT: '100000',
    ...ADDIN_SETTINGS,
  });
  const created = await runCli(runApps, ['create', '--name', 'Load', '--scopes', 'load', '--json'], cliEnvironment(guichet));
  client = created.json();
});
afterAll(() => guichet?.close());

class Tally {
  requests = 0;
  readonly failures: string[] = [];

  async expect(what: string, response: Promise<Response>, status: number): Promise<Response> {
    this.requests += 1;
    const answer = await response;
    if (answer.status !== status) this.failures.push(`${what}: ${answer.status} instead of ${status}`);
    return answer;
  }
}

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

async function webLogin(tally: Tally, user: string): Promise<string> {
  const browser = new TestBrowser();
  const { callbackUrl } = await signInAtDevIdp(browser, `${guichet.publicUrl}/auth/login`, user);
  tally.requests += 6;
  await tally.expect('web callback', browser.request(callbackUrl.href), 302);
  return browser.cookie('guichet_session')!;
}

async function nativeLogin(tally: Tally, user: string): Promise<string> {
  const { verifier, challenge } = pkcePair();
  const browser = new TestBrowser();
  const url = `${guichet.publicUrl}/auth/login?returnTo=visio%3A%2F%2Fload&code_challenge=${challenge}&code_challenge_method=S256`;
  const { callbackUrl } = await signInAtDevIdp(browser, url, user);
  tally.requests += 6;
  const callback = await tally.expect('native callback', browser.request(callbackUrl.href), 200);
  const continued = await tally.expect('native continue', clickContinue(browser, callback), 302);
  const code = new URL(continued.headers.get('location')!).searchParams.get('code')!;
  const exchanged = await tally.expect(
    'exchange',
    post(`${guichet.publicUrl}/auth/session-exchange`, { code, code_verifier: verifier }),
    200,
  );
  const token = (await exchanged.json()).session_token as string;
  await tally.expect('exchange replay', post(`${guichet.publicUrl}/auth/session-exchange`, { code, code_verifier: verifier }), 400);
  return token;
}

async function addinLogin(tally: Tally, webSession: string): Promise<void> {
  const fromAddin = { method: 'POST', headers: { origin: ADDIN_ORIGIN } };
  const init = await tally.expect('add-in init', fetch(`${guichet.publicUrl}/addons/sessions/init`, fromAddin), 201);
  const { transit_token: transitToken, csrf_token: csrf } = await init.json();
  const cookie = init.headers.getSetCookie()[0].split(';')[0];
  const exchange = () =>
    post(`${guichet.publicUrl}/addons/sessions/exchange`, { transit_token: transitToken }, { cookie: `guichet_session=${webSession}` });
  await tally.expect('add-in exchange', exchange(), 200);
  await tally.expect('add-in exchange replay', exchange(), 400);
  const poll = () => fetch(`${guichet.publicUrl}/addons/sessions/poll`, { method: 'POST', headers: { cookie, 'x-csrftoken': csrf } });
  // The replay evicted the add-in session: the token it would have delivered is gone too.
  await tally.expect('add-in poll after replay', poll(), 404);
}

async function clientCredentials(tally: Tally, seenJtis: Set<string>): Promise<void> {
  const response = await tally.expect(
    'token',
    fetch(`${guichet.publicUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from(`${client.client_id}:${client.client_secret}`).toString('base64')}`,
      },
      body: 'grant_type=client_credentials',
    }),
    200,
  );
  const jti = decodeJwt((await response.json()).access_token).jti!;
  if (seenJtis.has(jti)) tally.failures.push(`jti ${jti} issued twice`);
  seenJtis.add(jti);
}

describe('mixed-flow load on the local server', () => {
  it('serves every flow concurrently with zero failures and every session readable afterwards', async () => {
    const tally = new Tally();
    const sessions: string[] = [];
    const jtis = new Set<string>();
    const started = Date.now();
    await Promise.all(
      Array.from({ length: WORKERS }, async (_, worker) => {
        for (let round = 0; round < ROUNDS; round += 1) {
          const user = `load-${worker}-${round}`;
          const [web, native] = await Promise.all([webLogin(tally, user), nativeLogin(tally, `${user}-app`)]);
          sessions.push(web, native);
          await Promise.all([addinLogin(tally, web), clientCredentials(tally, jtis), clientCredentials(tally, jtis)]);
        }
      }),
    );
    for (const token of sessions) {
      await tally.expect(
        'session read afterwards',
        fetch(`${guichet.publicUrl}/auth/session`, { headers: { authorization: `Bearer ${token}` } }),
        200,
      );
    }
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`\nload: ${tally.requests} requests held in ${seconds.toFixed(1)} s, ${tally.failures.length} failures\n`);

    expect(tally.failures).toEqual([]);
    expect(new Set(sessions).size).toBe(WORKERS * ROUNDS * 2);
    expect(jtis.size).toBe(WORKERS * ROUNDS * 2);
  }, 120_000);
});
