import { sha256 } from '../../../../lambdas/shared/crypto';
import { ADDIN_ORIGIN, ADDIN_SETTINGS, openAddin } from '../../../support/addins';
import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';

const RATE_LIMIT = 4;
let integration: Integration;
let init: typeof import('../../../../lambdas/handlers/addins/sessions-init').handler;

beforeAll(async () => {
  integration = await startIntegration({ ADDONS_RATE_LIMIT: String(RATE_LIMIT), ...ADDIN_SETTINGS });
  ({ handler: init } = await import('../../../../lambdas/handlers/addins/sessions-init'));
});
afterAll(() => integration?.guichet.close());

/** `origin` null: a request without Origin. */
const initEvent = (body?: string, sourceIp = '192.0.2.60', origin: string | null = ADDIN_ORIGIN) => {
  const event = httpEvent({
    method: 'POST',
    path: '/addons/sessions/init',
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(origin === null ? {} : { origin }) },
    body,
  });
  event.requestContext.http.sourceIp = sourceIp;
  return event;
};

describe('POST /addons/sessions/init', () => {
  it('opens a pending session and a transit token, both stored only as hashes', async () => {
    const before = Math.floor(Date.now() / 1000);
    const addin = await openAddin(init, '192.0.2.61');
    const session = (await integration.store.get('addinSessions', sha256(addin.sessionId)))!;
    const transit = (await integration.store.get('transitTokens', sha256(addin.transitToken)))!;

    expect(session).toMatchObject({ state: 'pending', transitTokenId: sha256(addin.transitToken), origin: ADDIN_ORIGIN });
    expect(transit).toMatchObject({ state: 'pending', addinSessionId: sha256(addin.sessionId) });
    expect(session.expiresAt).toBeGreaterThanOrEqual(before + 600);
    expect(transit.expiresAt).toBeGreaterThanOrEqual(before + 120);
    expect(transit.expiresAt).toBeLessThan(before + 600);
    for (const row of [session, transit]) {
      expect(JSON.stringify(row)).not.toContain(addin.sessionId);
      expect(JSON.stringify(row)).not.toContain(addin.transitToken);
    }
    expect(addin.csrfToken).not.toBe(addin.sessionId);
  });

  it('sets the session cookie HttpOnly, Secure, SameSite=None and Partitioned', async () => {
    const result = await invoke(init, initEvent(undefined, '192.0.2.62'));
    expect(result.statusCode).toBe(201);
    expect(result.cookies).toEqual([
      expect.stringMatching(/^guichet_addons_sid=[\w-]{43}; Path=\/; Max-Age=600; HttpOnly; SameSite=None; Secure; Partitioned$/),
    ]);
    expect(result.headers!['Cache-Control']).toBe('no-store');
  });

  it('keeps the add-in name for the confirmation page', async () => {
    const result = await invoke(init, initEvent(JSON.stringify({ addin_name: 'Calendar' }), '192.0.2.63'));
    const transitToken = jsonBody(result).transit_token as string;
    expect((await integration.store.get('transitTokens', sha256(transitToken)))?.addinName).toBe('Calendar');
  });

  it.each([
    ['a name that is not a string', JSON.stringify({ addin_name: 42 })],
    ['a name too long', JSON.stringify({ addin_name: 'x'.repeat(65) })],
    ['a name with markup', JSON.stringify({ addin_name: '<script>' })],
    ['a name with a right-to-left override', JSON.stringify({ addin_name: 'Calendar\u202egnp.exe' })],
    ['a body that is not JSON', 'addin_name=x'],
  ])('refuses %s with 400 and writes nothing', async (_, body) => {
    const tables = ['addinSessions', 'transitTokens', 'rateLimits'] as const;
    const before = await Promise.all(tables.map((table) => integration.store.all(table)));
    const result = await invoke(init, initEvent(body, '192.0.2.64'));
    expect(result.statusCode).toBe(400);
    expect(await Promise.all(tables.map((table) => integration.store.all(table)))).toEqual(before);
  });

  it.each([
    ['without Origin (a script, a server)', () => null],
    ['from an unlisted origin', () => 'https://evil.example'],
    ["from guichet's own origin", () => new URL(integration.guichet.publicUrl).origin],
    ['from a sandboxed frame', () => 'null'],
  ])('refuses an init %s with 403 access_denied, writing nothing and spending no budget', async (_, origin) => {
    const tables = ['addinSessions', 'transitTokens', 'rateLimits'] as const;
    const before = await Promise.all(tables.map((table) => integration.store.all(table)));
    const result = await invoke(init, initEvent(JSON.stringify({ addin_name: 'Calendar' }), '192.0.2.67', origin()));
    expect(result.statusCode).toBe(403);
    expect(jsonBody(result)).toEqual({
      error: 'access_denied',
      error_description: 'only a page of an origin listed in CORS_ORIGINS may start this',
    });
    expect(result.cookies ?? []).toEqual([]);
    expect(await Promise.all(tables.map((table) => integration.store.all(table)))).toEqual(before);
  });

  it('answers 429 with Retry-After once a client address has opened its share of sessions', async () => {
    for (let i = 0; i < RATE_LIMIT; i += 1) expect((await invoke(init, initEvent(undefined, '192.0.2.65'))).statusCode).toBe(201);
    const limited = await invoke(init, initEvent(undefined, '192.0.2.65'));
    expect(limited.statusCode).toBe(429);
    expect(limited.headers!['Retry-After']).toEqual(expect.stringMatching(/^\d+$/));
    expect((await invoke(init, initEvent(undefined, '192.0.2.66'))).statusCode).toBe(201);
  });
});
