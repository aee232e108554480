import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runApps } from '../../cli/run-apps';
import { EXAMPLE_PRODUCT } from '../../local/example-product';
import type { Grant } from '../../local/iam';
import type { LocalGuichet } from '../../local/start';
import { ADDIN_ORIGIN, ADDIN_SETTINGS } from '../support/addins';
import { assertionKey, clientAssertion } from '../support/applications';
import { TestBrowser } from '../support/browser';
import { runCli } from '../support/cli-run';
import { type FakeIdp, startFakeIdp } from '../support/fake-idp';
import { cliEnvironment, startTestGuichet } from '../support/local-guichet';
import { type LogoutReceivers, startLogoutReceivers } from '../support/logout-receivers';
import { clickContinue, confirmationForm, postContinuation } from '../support/native-login';
import { pkcePair } from '../support/pkce';
import { exchangeSessionToken } from '../support/user-tokens';

/**
 * Least privilege, checked both ways. Every function of the synthesized stack runs with its role, and local
 * mode checks each of its DynamoDB and Secrets Manager calls against that role, as IAM would: an operation the
 * route table does not declare fails. This tour then drives every route through every path that touches
 * storage (successes, refusals, replays, a cancellation, a failed logout released), and compares what each
 * function did with what its role allows: a declared operation that no code performs fails too.
 *
 * The IdP is scriptable here, so that logout tokens with a `sid`, or with a `sub` only, can be signed. The product
 * API and the add-ins' audience register back-channel logout endpoints, so that sessions that end have deliveries
 * to make: delivered, retried, failed, and left by a logout whose queuing failed for the outbox sweeper.
 */
const CLIENT_ID = 'guichet-tour';
const ADDINS_AUDIENCE = 'https://addins.tour.example';
let idp: FakeIdp;
let guichet: LocalGuichet;
let receivers: LogoutReceivers;
let claimsOfNextLogin: Record<string, unknown> = {};

beforeAll(async () => {
  idp = await startFakeIdp(async () => ({ access_token: 'at', token_type: 'Bearer', id_token: await idToken() }));
  receivers = await startLogoutReceivers();
  const registration = (path: string, scopes: string[]) => ({ scopes, backchannel_logout_uri: `${receivers.origin}${path}` });
  guichet = await startTestGuichet({
    OIDC_ISSUER: idp.issuer,
    OIDC_CLIENT_ID: CLIENT_ID,
    OIDC_CLIENT_SECRET: 'tour-secret',
    ...ADDIN_SETTINGS,
    ACCESS_TOKEN_AUDIENCE: ADDINS_AUDIENCE,
    API_AUDIENCES: JSON.stringify({
      [EXAMPLE_PRODUCT.audience]: registration('/product', [...EXAMPLE_PRODUCT.scopes]),
      [ADDINS_AUDIENCE]: registration('/addins', ['addons']),
    }),
  });
  guichet.schedules.stop();
}, 60_000);
afterAll(async () => {
  await guichet?.close();
  await receivers?.close();
  await idp?.close();
});

const now = () => Math.floor(Date.now() / 1000);
const idToken = () => idp.sign({ iss: idp.issuer, aud: CLIENT_ID, iat: now(), exp: now() + 300, ...claimsOfNextLogin });
const url = (path: string) => `${guichet.publicUrl}${path}`;
const json = (body: unknown) => ({ method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

/** A whole login through the scriptable IdP: guichet's callback gets an ID token for `sub` and `sid`. */
async function logIn(browser: TestBrowser, sub: string, sid: string, query = ''): Promise<Response> {
  const started = await browser.request(url(`/auth/login${query}`));
  const authorization = new URL(started.headers.get('location')!);
  claimsOfNextLogin = { sub, sid, email: `${sub}@example.test`, nonce: authorization.searchParams.get('nonce') };
  return browser.request(url(`/auth/callback?code=c&state=${authorization.searchParams.get('state')}`));
}

const logoutToken = (claims: Record<string, unknown>) =>
  idp.sign(
    {
      iss: idp.issuer,
      aud: CLIENT_ID,
      iat: now(),
      exp: now() + 120,
      jti: `${Math.random()}`,
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      ...claims,
    },
    { typ: 'logout+jwt' },
  );
const backchannelLogout = async (claims: Record<string, unknown>) =>
  fetch(url('/auth/backchannel-logout'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ logout_token: await logoutToken(claims) }).toString(),
  });

async function tour(): Promise<void> {
  // Web login, its session, and a logout.
  const web = new TestBrowser();
  expect((await logIn(web, 'ivy', 'sid-ivy')).status).toBe(302);
  expect((await web.request(url('/auth/session'))).status).toBe(200);

  // A native app's login, the person's Continue and a replayed one, its exchange, and a failed exchange.
  const app = new TestBrowser();
  const pkce = pkcePair();
  const native = await logIn(
    app,
    'jon',
    'sid-jon',
    `?returnTo=${encodeURIComponent('visio://tour')}&code_challenge=${pkce.challenge}&code_challenge_method=S256`,
  );
  const confirmation = confirmationForm(await native.clone().text());
  const continued = await clickContinue(app, native);
  expect(continued.status).toBe(302);
  expect((await postContinuation(app, confirmation.action, confirmation.continuation)).status).toBe(400);
  const code = new URL(continued.headers.get('location')!).searchParams.get('code');
  const exchanged = await fetch(url('/auth/session-exchange'), json({ code, code_verifier: pkce.verifier }));
  expect(exchanged.status).toBe(200);
  expect((await fetch(url('/auth/session-exchange'), json({ code, code_verifier: pkce.verifier }))).status).toBe(400);

  // User tokens for the example product API: the native session's by token exchange, the web session's by cookie.
  const { session_token: sessionToken } = (await exchanged.json()) as { session_token: string };
  expect((await exchangeSessionToken(guichet.publicUrl, sessionToken, { audience: EXAMPLE_PRODUCT.audience })).status).toBe(200);
  const scripted = { origin: new URL(guichet.publicUrl).origin, 'x-requested-with': 'guichet' };
  expect(
    (
      await web.request(url('/auth/token'), {
        ...json({ audience: EXAMPLE_PRODUCT.audience }),
        headers: { 'content-type': 'application/json', ...scripted },
      })
    ).status,
  ).toBe(200);

  // An add-in: init from its origin, a pending poll, the dialog (describe, confirm), a confirmed poll, the token with
  // the completion code, and a replayed confirmation.
  const fromAddin = (body: unknown) => ({ ...json(body), headers: { 'content-type': 'application/json', origin: ADDIN_ORIGIN } });
  const addin = new TestBrowser();
  const init = await addin.request(url('/addons/sessions/init'), fromAddin({ addin_name: 'Tour' }));
  const opened = (await init.json()) as { transit_token: string; csrf_token: string };
  const poll = (completion?: string) => {
    const headers = { 'X-CSRFToken': opened.csrf_token, ...(completion && { 'X-Guichet-Completion': completion }) };
    return addin.request(url('/addons/sessions/poll'), { method: 'POST', headers });
  };
  expect((await poll()).status).toBe(202);
  expect((await web.request(url('/addons/sessions/describe'), json({ transit_token: opened.transit_token }))).status).toBe(200);
  const confirmed = await web.request(url('/addons/sessions/exchange'), json({ transit_token: opened.transit_token }));
  expect(confirmed.status).toBe(200);
  const { completion } = (await confirmed.json()) as { completion: string };
  expect((await poll()).status).toBe(202);
  expect((await poll(completion)).status).toBe(200);
  expect((await web.request(url('/addons/sessions/exchange'), json({ transit_token: opened.transit_token }))).status).toBe(400);

  // An add-in the person declines, then a replayed cancel.
  const declinedInit = await new TestBrowser().request(url('/addons/sessions/init'), fromAddin({}));
  const declined = (await declinedInit.json()) as { transit_token: string };
  expect((await fetch(url('/addons/sessions/cancel'), json({ transit_token: declined.transit_token }))).status).toBe(200);
  expect((await fetch(url('/addons/sessions/cancel'), json({ transit_token: declined.transit_token }))).status).toBe(400);

  // A machine-to-machine application's token, and the keys that verify it.
  const created = (await runCli(runApps, ['create', '--name', 'Tour', '--scopes', 'read', '--json'], cliEnvironment(guichet))).json<{
    client_id: string;
    client_secret: string;
  }>();
  const token = await fetch(url('/oauth/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: created.client_id,
      client_secret: created.client_secret,
    }).toString(),
  });
  expect(token.status).toBe(200);
  expect((await fetch(url('/.well-known/jwks.json'))).status).toBe(200);

  // One that authenticates with keys published at a jwks_uri (private_key_jwt): fetched, shared, its jti recorded.
  const key = await assertionKey();
  const keyServer = createServer((_, response) =>
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.publicJwk] })),
  );
  keyServer.listen(0, '127.0.0.1');
  await once(keyServer, 'listening');
  const jwksUri = `http://127.0.0.1:${(keyServer.address() as AddressInfo).port}/jwks.json`;
  const keyedArgs = ['create', '--name', 'Tour keys', '--scopes', 'read', '--jwks-uri', jwksUri, '--json'];
  const keyed = (await runCli(runApps, keyedArgs, cliEnvironment(guichet))).json<{ client_id: string }>();
  const signed = await fetch(url('/oauth/token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await clientAssertion(key, keyed.client_id, guichet.publicUrl),
    }).toString(),
  });
  keyServer.closeAllConnections();
  keyServer.close();
  expect(signed.status).toBe(200);

  // Back-channel logouts by sid and by sub, and one whose session deletion fails: its jti is released. The product
  // is told of both sessions (it was issued tokens of each) and of the add-in's web session: it answers the first
  // delivery 503 (retried), then 200, then 400 (kept as failed).
  receivers.script('/product', [{ status: 503, headers: { 'retry-after': '1' } }, 200]);
  receivers.script('/addins', [400]);
  expect((await backchannelLogout({ sid: 'sid-jon', sub: 'jon' })).status).toBe(200);
  expect((await backchannelLogout({ sub: 'ivy' })).status).toBe(200);
  await receivers.waitFor('/product', 3);
  await receivers.waitFor('/addins', 1);
  // A login whose code was redeemed before the IdP ended its session: the session written is taken back.
  expect((await logIn(new TestBrowser(), 'jon', 'sid-jon')).status).toBe(400);
  const kept = new TestBrowser();
  await logIn(kept, 'kim', 'sid-kim');
  guichet.account.injectFault({
    service: 'dynamodb',
    operation: 'DeleteItem',
    resourceContains: guichet.outputs.SessionsTableName,
    times: 10,
    error: { type: 'InternalServerError', status: 500, message: 'injected' },
  });
  expect((await backchannelLogout({ sid: 'sid-kim' })).status).toBeGreaterThanOrEqual(500);
  guichet.account.clearFaults();

  // A logout through guichet, of a session that was issued a user token; its queuing fails (every attempt of the
  // SDK's), so it stays in the outbox until the sweeper queues it, past the grace period.
  // Another person: ivy's logins are refused for the second her logout came in (ID tokens' iat are in seconds).
  await logIn(web, 'lea', 'sid-lea');
  const userToken = { ...json({ audience: EXAMPLE_PRODUCT.audience }), headers: { 'content-type': 'application/json', ...scripted } };
  expect((await web.request(url('/auth/token'), userToken)).status).toBe(200);
  const injected = { type: 'InternalError', status: 500, message: 'injected' };
  guichet.account.injectFault({ service: 'sqs', operation: 'SendMessageBatch', times: 3, error: injected });
  expect((await web.request(url('/auth/logout'), { method: 'POST' })).status).toBe(302);
  guichet.account.clearFaults();
  await new Promise((resolve) => setTimeout(resolve, 16_000));

  // The IdP cache: filled at start by the refresher, read at init by the login and callback functions, and
  // refreshed by its schedule.
  for (const schedule of guichet.schedules.rules) expect(await schedule.run()).toEqual([{ outcome: 'result', payload: undefined }]);
  await receivers.waitFor('/product', 4);
}

const key = (grant: Grant) => `${grant.action} ${grant.resource}`;

describe('least privilege, checked against what the code does', () => {
  it('every function performs exactly the operations its role allows: none more, none less', async () => {
    await tour();
    const unused: string[] = [];
    const undeclared: string[] = [];
    for (const [functionId, grants] of guichet.grants) {
      const used = new Set(guichet.account.calls.filter((call) => call.functionId === functionId).map(key));
      const granted = new Set(grants.map(key));
      for (const grant of granted) if (!used.has(grant)) unused.push(`${functionId}: ${grant}`);
      for (const call of used) if (!granted.has(call)) undeclared.push(`${functionId}: ${call}`);
    }
    // Undeclared calls were refused with AccessDenied on the way, which the tour's statuses would show too.
    expect(undeclared).toEqual([]);
    expect(unused).toEqual([]);
  }, 120_000);
});
