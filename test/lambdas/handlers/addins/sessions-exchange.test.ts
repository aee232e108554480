import { Metrics } from '@aws-lambda-powertools/metrics';
import { sha256 } from '../../../../lambdas/shared/crypto';
import { ADDIN_ORIGIN, ADDIN_SETTINGS, exchangeEvent, openAddin, statusesOf } from '../../../support/addins';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';
import { storedSession } from '../../../support/sessions';

let integration: Integration;
let init: typeof import('../../../../lambdas/handlers/addins/sessions-init').handler;
let exchange: typeof import('../../../../lambdas/handlers/addins/sessions-exchange').handler;
let webSession: { token: string; id: string };

beforeAll(async () => {
  integration = await startIntegration({ ADDONS_RATE_LIMIT: '1000', ...ADDIN_SETTINGS });
  ({ handler: init } = await import('../../../../lambdas/handlers/addins/sessions-init'));
  ({ handler: exchange } = await import('../../../../lambdas/handlers/addins/sessions-exchange'));
  webSession = await storedSession(integration.store);
});
afterAll(() => integration?.guichet.close());

const expire = async (table: 'transitTokens' | 'addinSessions', id: string) => {
  const row = (await integration.store.get(table, id))!;
  await integration.store.put(table, { ...row, expiresAt: Math.floor(Date.now() / 1000) - 1 });
};

describe('POST /addons/sessions/exchange', () => {
  it("consumes the transit token and confirms the add-in session for the web session's user, answering a completion code", async () => {
    const addin = await openAddin(init);
    const result = await invoke(exchange, exchangeEvent(addin.transitToken, webSession.token));
    expect(result.statusCode).toBe(200);
    expect(result.headers!['Cache-Control']).toBe('no-store');
    const body = jsonBody(result);
    expect(body).toEqual({ status: 'ok', completion: expect.stringMatching(/^[\w-]{43}$/), addin_origin: ADDIN_ORIGIN });
    expect(await integration.store.get('transitTokens', sha256(addin.transitToken))).toMatchObject({ state: 'consumed' });
    const row = (await integration.store.get('addinSessions', sha256(addin.sessionId)))!;
    expect(row).toMatchObject({
      state: 'confirmed',
      origin: ADDIN_ORIGIN,
      completionHash: sha256(body.completion as string),
      webSessionId: webSession.id,
      scope: 'addons',
      sealedToken: expect.any(String),
    });
    // The code is stored only as its hash, and no token is readable at rest: it is sealed under the code.
    expect(JSON.stringify(row)).not.toContain(body.completion as string);
    expect(JSON.stringify(row)).not.toMatch(/eyJ[\w-]+\.eyJ/);
  });

  it('requires a live web session', async () => {
    const addin = await openAddin(init);
    const result = await invoke(exchange, exchangeEvent(addin.transitToken));
    expect(result.statusCode).toBe(401);
    expect(await integration.store.get('transitTokens', sha256(addin.transitToken))).toMatchObject({ state: 'pending' });
  });

  it('answers a replay with 400, evicts the add-in session and counts it', async () => {
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    const addin = await openAddin(init);
    expect((await invoke(exchange, exchangeEvent(addin.transitToken, webSession.token))).statusCode).toBe(200);
    const replay = await invoke(exchange, exchangeEvent(addin.transitToken, webSession.token));
    expect(replay.statusCode).toBe(400);
    expect(jsonBody(replay)).toEqual({ error: 'invalid_request', error_description: 'the transit token was already used' });
    expect(await integration.store.get('addinSessions', sha256(addin.sessionId))).toBeUndefined();
    expect(addMetric.mock.calls.map(([name]) => name)).toContain('AddinReplayDetected');
    addMetric.mockRestore();
  });

  it('refuses an expired transit token even while its row exists', async () => {
    const addin = await openAddin(init);
    await expire('transitTokens', sha256(addin.transitToken));
    const result = await invoke(exchange, exchangeEvent(addin.transitToken, webSession.token));
    expect(result.statusCode).toBe(400);
    expect(await integration.store.get('addinSessions', sha256(addin.sessionId))).toMatchObject({ state: 'pending' });
  });

  it('does not authenticate an add-in session that has expired', async () => {
    const addin = await openAddin(init);
    await expire('addinSessions', sha256(addin.sessionId));
    const result = await invoke(exchange, exchangeEvent(addin.transitToken, webSession.token));
    expect(result.statusCode).toBe(400);
    expect(await integration.store.get('addinSessions', sha256(addin.sessionId))).toMatchObject({ state: 'pending' });
  });

  it.each([
    ['an unknown transit token', 'A'.repeat(43)],
    ['a malformed transit token', 'short'],
    ['a missing transit token', undefined],
  ])('refuses %s with 400', async (_, transitToken) => {
    const result = await invoke(exchange, exchangeEvent(transitToken, webSession.token));
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_request');
  });

  it('lets exactly one of 20 simultaneous exchanges of one transit token through', async () => {
    const addin = await openAddin(init);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => invoke(exchange, exchangeEvent(addin.transitToken, webSession.token))),
    );
    expect(statusesOf(results).filter((status) => status === 200)).toHaveLength(1);
    expect(statusesOf(results).filter((status) => status === 400)).toHaveLength(19);
  });
});
