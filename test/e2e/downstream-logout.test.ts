import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { runLogoutDeliveries } from '../../cli/run-logout-deliveries';
import type { LocalGuichet } from '../../local/start';
import { runCli } from '../support/cli-run';
import { logOutAtDevIdp } from '../support/dev-idp-login';
import { cliEnvironment, startTestGuichet } from '../support/local-guichet';
import { type LogoutReceivers, startLogoutReceivers } from '../support/logout-receivers';
import { nativeLogin } from '../support/native-login';
import { exchangeSessionToken } from '../support/user-tokens';

/**
 * Logout carried to product backends, end to end: the local guichet runs the stack's queue, dead-letter queue, event
 * source mapping and functions; product backends are loopback endpoints answering as each test scripts them, and the
 * people log in as native apps do and are logged out by the development IdP.
 */
let guichet: LocalGuichet;
let receivers: LogoutReceivers;

const PATHS = ['one', 'flaky', 'refusing', 'unused', 'slow', 'crash-a', 'crash-b', 'swept'] as const;
type Path = (typeof PATHS)[number];
const audience = (path: Path) => `https://api.${path}.example`;
const endpoint = (path: Path) => `/${path}`;

beforeAll(async () => {
  receivers = await startLogoutReceivers();
  const audiences = Object.fromEntries(
    PATHS.map((path) => [audience(path), { scopes: ['read'], backchannel_logout_uri: `${receivers.origin}${endpoint(path)}` }]),
  );
  guichet = await startTestGuichet({ API_AUDIENCES: JSON.stringify(audiences) });
}, 120_000);
afterAll(async () => {
  await guichet?.close();
  await receivers?.close();
});

/** A native app's session with a user token for each of these audiences; returns the `sid` of the tokens. */
async function nativeUserWithTokensFor(user: string, paths: readonly Path[]) {
  const login = await nativeLogin(guichet.publicUrl, user);
  const sids = new Set<unknown>();
  for (const path of paths) {
    const exchanged = await exchangeSessionToken(guichet.publicUrl, login.sessionToken, { audience: audience(path) });
    expect(exchanged.status).toBe(200);
    sids.add(decodeJwt(((await exchanged.json()) as { access_token: string }).access_token).sid);
  }
  expect(sids.size).toBe(1);
  return { ...login, sid: [...sids][0] as string };
}

const jwks = () => createRemoteJWKSet(new URL(`${guichet.publicUrl}/.well-known/jwks.json`));
const jtisOf = (path: Path) => receivers.received(endpoint(path)).map(({ token }) => decodeJwt(token).jti);
const failedDeliveries = async () =>
  (await runCli(runLogoutDeliveries, ['list', '--json'], cliEnvironment(guichet))).json<Record<string, unknown>[]>();

describe('downstream back-channel logout', () => {
  it("tells each audience the session was issued a token for, with a logout token that verifies against guichet's JWKS", async () => {
    receivers.script(endpoint('one'), [200]);
    receivers.script(endpoint('flaky'), [{ status: 503, headers: { 'retry-after': '1' } }, 503, 204]);
    receivers.script(endpoint('refusing'), [400]);
    receivers.script(endpoint('unused'), [200]);
    const { browser, sid } = await nativeUserWithTokensFor('nadia', ['one', 'flaky', 'refusing']);

    expect((await logOutAtDevIdp(browser, guichet.issuer)).status).toBeLessThan(400);

    const [delivered] = await receivers.waitFor(endpoint('one'), 1);
    expect(decodeProtectedHeader(delivered.token)).toMatchObject({ typ: 'logout+jwt', kid: expect.any(String) });
    const { payload } = await jwtVerify(delivered.token, jwks(), {
      issuer: guichet.publicUrl,
      audience: audience('one'),
      typ: 'logout+jwt',
    });
    expect(payload).toEqual({
      iss: guichet.publicUrl,
      aud: audience('one'),
      iat: expect.any(Number),
      exp: payload.iat! + 120,
      jti: expect.stringMatching(/^[\w-]{43}$/),
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      sid,
      sub: 'nadia',
    });

    // 503 (Retry-After: 1), 503, then 204: delivered on the third attempt, each attempt a token of its own.
    const flaky = await receivers.waitFor(endpoint('flaky'), 3);
    expect(flaky.map(({ status }) => status)).toEqual([503, 503, 204]);
    expect(new Set(jtisOf('flaky')).size).toBe(3);
    for (const { token } of flaky) expect(decodeJwt(token)).toMatchObject({ sid, aud: audience('flaky') });

    // A 400 fails at once: one attempt, kept for the operator.
    await receivers.waitFor(endpoint('refusing'), 1);
    let failed = await failedDeliveries();
    for (let attempt = 0; attempt < 50 && failed.length === 0; attempt += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      failed = await failedDeliveries();
    }
    expect(failed).toEqual([
      expect.objectContaining({
        audience: audience('refusing'),
        sid,
        sub: 'nadia',
        failure: expect.objectContaining({ reason: 'http_4xx', status: 400, attempts: 1 }),
      }),
    ]);
    expect(receivers.received(endpoint('refusing'))).toHaveLength(1);
    // The audience with no token from that session heard nothing, while the others were all told.
    expect(receivers.received(endpoint('unused'))).toEqual([]);
    expect(receivers.received(endpoint('one'))).toHaveLength(1);

    // The operator redrives it once the backend is fixed.
    receivers.script(endpoint('refusing'), [200]);
    const redrive = await runCli(runLogoutDeliveries, ['redrive', failed[0].message_id as string, '--json'], cliEnvironment(guichet));
    expect(redrive.json()).toEqual({ redriven: [failed[0].message_id], not_found: [] });
    const [, redriven] = await receivers.waitFor(endpoint('refusing'), 2);
    expect(redriven.status).toBe(200);
    expect(decodeJwt(redriven.token)).toMatchObject({ sid, aud: audience('refusing') });
    expect(await failedDeliveries()).toEqual([]);
  }, 90_000);

  it('tells the audiences when the person logs out through guichet, too', async () => {
    receivers.script(endpoint('one'), [200]);
    const before = receivers.received(endpoint('one')).length;
    const { sessionToken, sid } = await nativeUserWithTokensFor('paul', ['one']);
    const logout = await fetch(`${guichet.publicUrl}/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sessionToken}` },
      redirect: 'manual',
    });
    expect(logout.status).toBe(302);
    const received = await receivers.waitFor(endpoint('one'), before + 1);
    expect(decodeJwt(received.at(-1)!.token)).toMatchObject({ sid, sub: 'paul' });
  }, 60_000);

  it("does not make the IdP's logout wait for a slow product backend", async () => {
    receivers.script(endpoint('slow'), [{ status: 200, delayMs: 10_000 }]);
    const { browser } = await nativeUserWithTokensFor('sloane', ['slow']);
    const started = Date.now();
    const answer = await logOutAtDevIdp(browser, guichet.issuer);
    const elapsed = Date.now() - started;
    expect(answer.status).toBeLessThan(400);
    // oidc-provider answers the person only once guichet answered its back-channel call: guichet waited for nothing.
    expect(elapsed).toBeLessThan(5000);
    await receivers.waitFor(endpoint('slow'), 1);
  }, 60_000);

  it('loses nothing when the delivery function crashes mid-batch, and sends nothing delivered again', async () => {
    receivers.script(endpoint('crash-a'), [200]);
    receivers.script(endpoint('crash-b'), [503, 200]);
    // The retry of crash-b's 503 hangs its SQS call past the function's timeout: the environment is discarded.
    guichet.account.injectFault({ service: 'sqs', operation: 'ChangeMessageVisibility', delayMs: 15_000, times: 1 });
    const { browser, sid } = await nativeUserWithTokensFor('carl', ['crash-a', 'crash-b']);
    await logOutAtDevIdp(browser, guichet.issuer);

    const crashB = await receivers.waitFor(endpoint('crash-b'), 2, 90_000);
    expect(crashB.map(({ status }) => status)).toEqual([503, 200]);
    expect(
      guichet.log.reports.some((report) => report.functionId.startsWith('DownstreamLogoutDelivery') && report.outcome === 'timeout'),
    ).toBe(true);
    // crash-a was delivered before the crash, and deleted then: not delivered again.
    expect(receivers.received(endpoint('crash-a'))).toHaveLength(1);
    const tokens = [...receivers.received(endpoint('crash-a')), ...crashB].map(({ token }) => decodeJwt(token));
    expect(new Set(tokens.map(({ jti }) => jti)).size).toBe(3);
    expect(tokens.every((claims) => claims.sid === sid)).toBe(true);
  }, 120_000);

  it('queues, through the sweeper, the deliveries a crashed logout left in the outbox', async () => {
    // The sweeper runs when this test says, not on its one-minute timer.
    guichet.schedules.stop();
    receivers.script(endpoint('swept'), [200]);
    // Every attempt of the SDK's (three) fails: the logout's own queuing gives up and leaves the outbox as it is.
    guichet.account.injectFault({
      service: 'sqs',
      operation: 'SendMessageBatch',
      times: 3,
      error: { type: 'InternalError', status: 500, message: 'injected' },
    });
    const { browser, sid } = await nativeUserWithTokensFor('sven', ['swept']);
    expect((await logOutAtDevIdp(browser, guichet.issuer)).status).toBeLessThan(400);

    // Past the grace period, which a live logout's own queuing never outlasts, the sweeper's schedule runs.
    await new Promise((resolve) => setTimeout(resolve, 16_000));
    expect(receivers.received(endpoint('swept'))).toEqual([]);
    expect(
      guichet.account.calls.some((call) => call.functionId.startsWith('AuthBackchannelLogout') && call.action === 'sqs:SendMessage'),
    ).toBe(true);
    const sweeper = guichet.schedules.rules.find((rule) => rule.targetArns.some((arn) => arn.includes('OutboxSweeper')))!;
    expect(await sweeper.run()).toEqual([{ outcome: 'result', payload: undefined }]);
    const [swept] = await receivers.waitFor(endpoint('swept'), 1);
    expect(decodeJwt(swept.token)).toMatchObject({ sid, sub: 'sven' });
  }, 60_000);
});
