import { sha256 } from '../../../../lambdas/shared/crypto';
import { ADDIN_ORIGIN, ADDIN_SETTINGS, cancelEvent, describeEvent, exchangeEvent, openAddin } from '../../../support/addins';
import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';
import { storedSession } from '../../../support/sessions';

/** The confirmation page's two other requests: what to show before the person decides, and their refusal. */
let integration: Integration;
let init: typeof import('../../../../lambdas/handlers/addins/sessions-init').handler;
let describe_: typeof import('../../../../lambdas/handlers/addins/sessions-describe').handler;
let cancel: typeof import('../../../../lambdas/handlers/addins/sessions-cancel').handler;
let exchange: typeof import('../../../../lambdas/handlers/addins/sessions-exchange').handler;
let webSession: { token: string; id: string };

beforeAll(async () => {
  integration = await startIntegration({ ADDONS_RATE_LIMIT: '1000', ...ADDIN_SETTINGS });
  ({ handler: init } = await import('../../../../lambdas/handlers/addins/sessions-init'));
  ({ handler: describe_ } = await import('../../../../lambdas/handlers/addins/sessions-describe'));
  ({ handler: cancel } = await import('../../../../lambdas/handlers/addins/sessions-cancel'));
  ({ handler: exchange } = await import('../../../../lambdas/handlers/addins/sessions-exchange'));
  webSession = await storedSession(integration.store);
});
afterAll(() => integration?.guichet.close());

async function namedAddin(addinName?: string) {
  const event = httpEvent({
    method: 'POST',
    path: '/addons/sessions/init',
    headers: { 'content-type': 'application/json', origin: ADDIN_ORIGIN },
    body: JSON.stringify(addinName === undefined ? {} : { addin_name: addinName }),
  });
  const opened = await invoke(init, event);
  return { transitToken: jsonBody(opened).transit_token as string, sessionId: opened.cookies![0].split(';')[0].split('=')[1] };
}

describe('POST /addons/sessions/describe', () => {
  it('tells the signed-in person the name init stored, and how long is left, consuming nothing', async () => {
    const addin = await namedAddin('Calendar ✓');
    const described = await invoke(describe_, describeEvent(addin.transitToken, webSession.token));
    expect(described.statusCode).toBe(200);
    expect(jsonBody(described)).toEqual({ addin_name: 'Calendar ✓', expires_in: expect.any(Number) });
    expect(jsonBody(described).expires_in).toBeGreaterThan(100);
    expect(await integration.store.get('transitTokens', sha256(addin.transitToken))).toMatchObject({ state: 'pending' });
    expect((await invoke(exchange, exchangeEvent(addin.transitToken, webSession.token))).statusCode).toBe(200);
  });

  it('answers null for an add-in that gave no name', async () => {
    const addin = await namedAddin();
    expect(jsonBody(await invoke(describe_, describeEvent(addin.transitToken, webSession.token))).addin_name).toBeNull();
  });

  it('requires the web session of the person confirming', async () => {
    const addin = await namedAddin('Calendar');
    expect((await invoke(describe_, describeEvent(addin.transitToken))).statusCode).toBe(401);
  });

  it('knows nothing of a used, unknown or expired transit token', async () => {
    const used = await namedAddin('Calendar');
    await invoke(exchange, exchangeEvent(used.transitToken, webSession.token));
    const expired = await namedAddin('Calendar');
    const row = (await integration.store.get('transitTokens', sha256(expired.transitToken)))!;
    await integration.store.put('transitTokens', { ...row, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    for (const token of [used.transitToken, 'A'.repeat(43), expired.transitToken]) {
      const result = await invoke(describe_, describeEvent(token, webSession.token));
      expect(result.statusCode).toBe(400);
      expect(jsonBody(result)).toEqual({ error: 'invalid_request', error_description: 'unknown or expired transit token' });
    }
  });
});

describe('POST /addons/sessions/cancel', () => {
  it('spends the transit token and marks the add-in login cancelled, for the next poll to learn', async () => {
    const addin = await namedAddin('Calendar');
    const result = await invoke(cancel, cancelEvent(addin.transitToken));
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toEqual({ status: 'cancelled' });
    expect(await integration.store.get('transitTokens', sha256(addin.transitToken))).toMatchObject({ state: 'consumed' });
    expect(await integration.store.get('addinSessions', sha256(addin.sessionId))).toMatchObject({ state: 'cancelled' });
  });

  it('leaves nothing to confirm afterwards: the exchange of the same token is a replay', async () => {
    const addin = await openAddin(init);
    await invoke(cancel, cancelEvent(addin.transitToken));
    expect((await invoke(exchange, exchangeEvent(addin.transitToken, webSession.token))).statusCode).toBe(400);
    expect(await integration.store.get('addinSessions', sha256(addin.sessionId))).toBeUndefined();
  });

  it('refuses an unknown transit token', async () => {
    expect((await invoke(cancel, cancelEvent('A'.repeat(43)))).statusCode).toBe(400);
  });
});
