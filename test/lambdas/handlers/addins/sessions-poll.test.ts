import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { publicSessionId } from '../../../../lambdas/domain/user-tokens';
import { randomSecret, sha256 } from '../../../../lambdas/shared/crypto';
import { ADDIN_SETTINGS, cancelEvent, confirmAddin, type OpenedAddin, openAddin, pollEvent, statusesOf } from '../../../support/addins';
import { lambdaContext } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';
import { storedSession } from '../../../support/sessions';

let integration: Integration;
let init: typeof import('../../../../lambdas/handlers/addins/sessions-init').handler;
let exchange: typeof import('../../../../lambdas/handlers/addins/sessions-exchange').handler;
let poll: typeof import('../../../../lambdas/handlers/addins/sessions-poll').handler;
let cancel: typeof import('../../../../lambdas/handlers/addins/sessions-cancel').handler;
let webSession: { token: string; id: string };

beforeAll(async () => {
  integration = await startIntegration({ ADDONS_RATE_LIMIT: '1000', ...ADDIN_SETTINGS });
  ({ handler: init } = await import('../../../../lambdas/handlers/addins/sessions-init'));
  ({ handler: exchange } = await import('../../../../lambdas/handlers/addins/sessions-exchange'));
  ({ handler: poll } = await import('../../../../lambdas/handlers/addins/sessions-poll'));
  ({ handler: cancel } = await import('../../../../lambdas/handlers/addins/sessions-cancel'));
  webSession = await storedSession(integration.store);
});
afterAll(() => integration?.guichet.close());

/** An add-in login the person confirmed: the add-in, with the completion code its window received. */
async function confirmedAddin(sessionToken = webSession.token): Promise<OpenedAddin & { completion: string }> {
  const addin = await openAddin(init);
  return { ...addin, completion: (await confirmAddin(exchange, addin, sessionToken)).completion };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('POST /addons/sessions/poll', () => {
  it('answers 202 pending, then 202 confirmed without the code, then the token once with it, then 404', async () => {
    const addin = await openAddin(init);
    const pending = await invoke(poll, pollEvent(addin));
    expect(pending.statusCode).toBe(202);
    expect(jsonBody(pending)).toEqual({ state: 'pending' });

    const { completion } = await confirmAddin(exchange, addin, webSession.token);
    for (let i = 0; i < 3; i += 1) {
      const confirmed = await invoke(poll, pollEvent(addin));
      expect(confirmed.statusCode).toBe(202);
      expect(jsonBody(confirmed)).toEqual({ state: 'confirmed' });
    }

    const delivered = await invoke(poll, pollEvent({ ...addin, completion }));
    expect(delivered.statusCode).toBe(200);
    expect(delivered.headers!['Cache-Control']).toBe('no-store');
    const body = jsonBody(delivered);
    expect(body).toEqual({
      state: 'authenticated',
      access_token: expect.any(String),
      token_type: 'Bearer',
      expires_in: expect.any(Number),
      scope: 'addons',
    });
    expect(body.expires_in).toBeLessThanOrEqual(3600);
    expect(body.expires_in).toBeGreaterThan(3500);
    expect(decodeProtectedHeader(body.access_token as string)).toMatchObject({ typ: 'at+jwt', alg: 'RS256' });
    expect(decodeJwt(body.access_token as string)).toMatchObject({ sub: 'erin', scope: 'addons', client_id: 'guichet-addons' });
    expect(await integration.store.get('addinSessions', sha256(addin.sessionId))).toBeUndefined();

    expect((await invoke(poll, pollEvent({ ...addin, completion }))).statusCode).toBe(404);
    expect((await invoke(poll, pollEvent(addin))).statusCode).toBe(404);
  });

  it("carries the confirming session's public sid, and never outlives that session", async () => {
    const expiresAt = nowSeconds() + 90;
    const shortLived = await storedSession(integration.store, { expiresAt });
    const addin = await confirmedAddin(shortLived.token);
    const body = jsonBody(await invoke(poll, pollEvent(addin)));
    const claims = decodeJwt(body.access_token as string);
    expect(claims.sid).toBe(publicSessionId(shortLived.id));
    expect(claims.sid).not.toBe(shortLived.id);
    expect(claims.exp).toBeLessThanOrEqual(expiresAt);
    expect(claims.exp! - claims.iat!).toBeLessThanOrEqual(90);
    expect(body.expires_in).toBeLessThanOrEqual(90);
  });

  it('wakes a long poll when the person confirms, and answers confirmed', async () => {
    const addin = await openAddin(init);
    const held = invoke(poll, pollEvent(addin, 'wait=10'));
    await confirmAddin(exchange, addin, webSession.token);
    const answer = await held;
    expect(answer.statusCode).toBe(202);
    expect(jsonBody(answer)).toEqual({ state: 'confirmed' });
  });

  it.each([
    ['another code', () => randomSecret()],
    ['a malformed code', () => 'not a code'],
    ['an empty code', () => ''],
  ])('ends a confirmed add-in session presented %s: 400 invalid_grant, counted; the right code then finds nothing', async (_, wrong) => {
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    const addin = await confirmedAddin();
    const refused = await invoke(poll, pollEvent({ ...addin, completion: wrong() }));
    expect(refused.statusCode).toBe(400);
    expect(jsonBody(refused)).toEqual({
      error: 'invalid_grant',
      error_description: 'the completion code is wrong: this add-in sign-in has ended',
    });
    expect(await integration.store.get('addinSessions', sha256(addin.sessionId))).toBeUndefined();
    expect(addMetric.mock.calls.map(([name]) => name)).toContain('AddinCompletionRejected');
    addMetric.mockRestore();
    expect((await invoke(poll, pollEvent(addin))).statusCode).toBe(404);
    expect((await invoke(poll, pollEvent({ sessionId: addin.sessionId, csrfToken: addin.csrfToken }))).statusCode).toBe(404);
  });

  it('ends a pending add-in session presented any code: none exists before the confirmation', async () => {
    const addin = await openAddin(init);
    expect((await invoke(poll, pollEvent({ ...addin, completion: randomSecret() }))).statusCode).toBe(400);
    expect(await integration.store.get('addinSessions', sha256(addin.sessionId))).toBeUndefined();
  });

  it('compares the code with the helper that takes the same time whatever the input', async () => {
    const crypto = await import('../../../../lambdas/shared/crypto');
    const safeEqual = jest.spyOn(crypto, 'safeEqual');
    const addin = await confirmedAddin();
    await invoke(poll, pollEvent({ ...addin, completion: addin.completion }));
    expect(safeEqual).toHaveBeenCalledWith(sha256(addin.completion), sha256(addin.completion));
    safeEqual.mockRestore();
  });

  it('answers 401 without the cookie', async () => {
    const addin = await openAddin(init);
    const result = await invoke(poll, pollEvent({ csrfToken: addin.csrfToken }));
    expect(result.statusCode).toBe(401);
  });

  it.each([
    ['a CSRF token of another session', async () => (await openAddin(init)).csrfToken],
    ['no CSRF token', async () => undefined],
  ])('answers 400 for %s and delivers nothing', async (_, csrfToken) => {
    const addin = await confirmedAddin();
    const presented = { sessionId: addin.sessionId, csrfToken: await csrfToken(), completion: addin.completion };
    const result = await invoke(poll, pollEvent(presented));
    expect(result.statusCode).toBe(400);
    expect(await integration.store.get('addinSessions', sha256(addin.sessionId))).toMatchObject({ state: 'confirmed' });
  });

  it.each(['21', '-1', 'abc', '1.5'])('refuses wait=%s', async (wait) => {
    const addin = await openAddin(init);
    expect((await invoke(poll, pollEvent(addin, `wait=${wait}`))).statusCode).toBe(400);
  });

  it('answers 404 for an expired add-in session even while its row exists', async () => {
    const addin = await confirmedAddin();
    const row = (await integration.store.get('addinSessions', sha256(addin.sessionId)))!;
    await integration.store.put('addinSessions', { ...row, expiresAt: nowSeconds() - 1 });
    expect((await invoke(poll, pollEvent(addin))).statusCode).toBe(404);
    expect((await invoke(poll, pollEvent({ ...addin, completion: addin.completion }))).statusCode).toBe(404);
  });

  it('delivers no token when the web session that confirmed ended meanwhile', async () => {
    const ending = await storedSession(integration.store);
    const addin = await confirmedAddin(ending.token);
    await integration.store.remove('sessions', ending.id);
    expect((await invoke(poll, pollEvent({ ...addin, completion: addin.completion }))).statusCode).toBe(404);
  });

  it('ends a long poll before the Lambda deadline', async () => {
    const addin = await openAddin(init);
    const nearDeadline = { ...lambdaContext, getRemainingTimeInMillis: () => 2600 } as Context;
    const started = Date.now();
    const result = (await poll(pollEvent(addin, 'wait=20'), nearDeadline)) as { statusCode: number };
    expect(result.statusCode).toBe(202);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('gives the token to exactly one of 20 simultaneous polls with the code; the others slow down or find it gone', async () => {
    const addin = await confirmedAddin();
    const results = await Promise.all(Array.from({ length: 20 }, () => invoke(poll, pollEvent(addin))));
    expect(statusesOf(results).filter((status) => status === 200)).toHaveLength(1);
    expect(
      statusesOf(results)
        .filter((status) => status !== 200)
        .every((status) => status === 429 || status === 404),
    ).toBe(true);
  });

  it('holds one poll per add-in login at a time: a second, concurrent one is told to slow down at once', async () => {
    const addin = await openAddin(init);
    const started = Date.now();
    const held = invoke(poll, pollEvent(addin, 'wait=3'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    const second = await invoke(poll, pollEvent(addin, 'wait=3'));
    expect(second.statusCode).toBe(429);
    expect(jsonBody(second)).toEqual({ error: 'slow_down', error_description: 'another poll of this add-in sign-in is in progress' });
    expect(second.headers!['Retry-After']).toBe('2');
    expect(Date.now() - started).toBeLessThan(1500);
    expect((await held).statusCode).toBe(202);
    // Once the first poll ended, the next one may wait again.
    expect((await invoke(poll, pollEvent(addin))).statusCode).toBe(202);
  });

  it('learns at once that the person cancelled in the dialog, and ends the add-in login', async () => {
    const addin = await openAddin(init);
    const cancelled = await invoke(cancel, cancelEvent(addin.transitToken));
    expect(cancelled.statusCode).toBe(200);
    const answer = await invoke(poll, pollEvent(addin, 'wait=10'));
    expect(answer.statusCode).toBe(404);
    expect(jsonBody(answer).error_description).toBe('the sign-in was cancelled in the dialog');
    expect(await integration.store.get('addinSessions', sha256(addin.sessionId))).toBeUndefined();
  });
});
