import { Metrics } from '@aws-lambda-powertools/metrics';
import type { NativeConfirmation } from '../../../../lambdas/domain/native-login';
import { sha256 } from '../../../../lambdas/shared/crypto';
import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';
import { pkcePair } from '../../../support/pkce';

const FAILURE_LIMIT = 4;
let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/auth/native-continue').handler;
let exchangeHandler: typeof import('../../../../lambdas/handlers/auth/session-exchange').handler;
let offer: (sub?: string) => Promise<NativeConfirmation & { binding: string; sessionId: string; token: string; verifier: string }>;
let addressCounter = 0;

beforeAll(async () => {
  integration = await startIntegration({ SESSION_EXCHANGE_FAILURE_LIMIT: String(FAILURE_LIMIT) });
  ({ handler } = await import('../../../../lambdas/handlers/auth/native-continue'));
  ({ handler: exchangeHandler } = await import('../../../../lambdas/handlers/auth/session-exchange'));
  const { createSession } = await import('../../../../lambdas/domain/sessions');
  const { offerNativeContinuation } = await import('../../../../lambdas/domain/native-login');
  offer = async (sub = 'ivy') => {
    const session = await createSession(
      { issuer: 'https://idp.test', sub, email: `${sub}@example.test`, issuedAt: Math.floor(Date.now() / 1000) },
      'native',
    );
    const { verifier, challenge } = pkcePair();
    const flow = { id: 'f', flow: 'native', codeVerifier: 'v', nonce: 'n', expiresAt: 0 } as const;
    const app = { returnTo: 'visio://auth/done', appCodeChallenge: challenge, appState: 's-1' };
    const confirmation = await offerNativeContinuation(session, { ...flow, ...app });
    return { ...confirmation, sessionId: session.record.id, token: session.token, verifier };
  };
});
afterAll(() => integration?.guichet.close());

/** Each test gets its own client address, so failure budgets do not leak between tests. */
const freshAddress = () => `198.51.100.${(addressCounter += 1)}`;
const ownOrigin = () => new URL(integration.guichet.publicUrl).origin;

function continueLogin(form: string, init: { binding?: string; origin?: string; sourceIp?: string } = {}) {
  const event = httpEvent({
    method: 'POST',
    path: '/auth/native/continue',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(init.origin === undefined ? {} : { origin: init.origin }) },
    cookies: init.binding === undefined ? undefined : [`guichet_native_continuation=${init.binding}`],
    body: form,
  });
  event.requestContext.http.sourceIp = init.sourceIp ?? freshAddress();
  return invoke(handler, event);
}

const continuationForm = (continuation: string) => new URLSearchParams({ continuation }).toString();
const pending = (continuation: string) => integration.store.get('nativeContinuations', sha256(continuation));
const codesOf = async (sessionId: string) => (await integration.store.all('exchangeCodes')).filter((row) => row.sessionId === sessionId);

describe('POST /auth/native/continue', () => {
  it('mints the exchange code only now, and sends the browser to the app with it, once', async () => {
    const offered = await offer();
    expect(await codesOf(offered.sessionId)).toEqual([]);

    const result = await continueLogin(continuationForm(offered.continuation), { binding: offered.binding, origin: ownOrigin() });

    expect(result.statusCode).toBe(302);
    expect(result.headers!['Cache-Control']).toBe('no-store');
    const location = new URL(result.headers!.Location as string);
    expect(`${location.protocol}//${location.host}${location.pathname}`).toBe('visio://auth/done');
    expect(location.searchParams.get('state')).toBe('s-1');
    const code = location.searchParams.get('code')!;
    expect(await codesOf(offered.sessionId)).toEqual([expect.objectContaining({ id: sha256(code), sessionId: offered.sessionId })]);
    const cleared = /^guichet_native_continuation=; Path=\/; Max-Age=0; HttpOnly; SameSite=Lax/;
    expect(result.cookies).toEqual([expect.stringMatching(cleared)]);
    expect(await pending(offered.continuation)).toBeUndefined();

    const body = JSON.stringify({ code, code_verifier: offered.verifier });
    const exchanged = await invoke(
      exchangeHandler,
      httpEvent({ method: 'POST', path: '/auth/session-exchange', headers: { 'content-type': 'application/json' }, body }),
    );
    expect(exchanged.statusCode).toBe(200);
    expect(jsonBody(exchanged).session_token).toBe(offered.token);

    const replay = await continueLogin(continuationForm(offered.continuation), { binding: offered.binding });
    expect(replay.statusCode).toBe(400);
    expect(await codesOf(offered.sessionId)).toHaveLength(0);
  });

  it('keeps the continuation only as a hash, the session token only sealed, and the binding only as a hash', async () => {
    const offered = await offer();
    const row = JSON.stringify(await pending(offered.continuation));
    for (const secret of [offered.continuation, offered.token, offered.binding]) expect(row).not.toContain(secret);
    expect(JSON.parse(row)).toMatchObject({
      sessionId: offered.sessionId,
      browserBinding: sha256(offered.binding),
      returnTo: 'visio://auth/done',
    });
  });

  it.each([
    ['from another browser (no binding cookie)', undefined],
    ['from another browser (its own binding cookie)', 'B'.repeat(43)],
  ])('answers 400 and mints no code for a continuation %s, which it burns', async (_, binding) => {
    const addMetric = jest.spyOn(Metrics.prototype, 'addMetric');
    const offered = await offer();
    const result = await continueLogin(continuationForm(offered.continuation), { binding });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_request');
    expect(await codesOf(offered.sessionId)).toEqual([]);
    expect(addMetric.mock.calls.map(([name]) => name)).toContain('NativeContinuationRejected');
    addMetric.mockRestore();
    expect((await continueLogin(continuationForm(offered.continuation), { binding: offered.binding })).statusCode).toBe(400);
  });

  it('refuses an expired continuation even while its row still exists', async () => {
    const offered = await offer();
    const row = (await pending(offered.continuation))!;
    await integration.store.put('nativeContinuations', { ...row, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const result = await continueLogin(continuationForm(offered.continuation), { binding: offered.binding });
    expect(result.statusCode).toBe(400);
    expect(await codesOf(offered.sessionId)).toEqual([]);
  });

  it('refuses a continuation whose session ended meanwhile (a back-channel logout)', async () => {
    const offered = await offer();
    await integration.store.remove('sessions', offered.sessionId);
    const result = await continueLogin(continuationForm(offered.continuation), { binding: offered.binding });
    expect(result.statusCode).toBe(400);
    expect(await codesOf(offered.sessionId)).toEqual([]);
  });

  it.each([
    ['no continuation', ''],
    ['a malformed continuation', continuationForm('not-a-secret')],
    ['a repeated field', 'continuation=a&continuation=b'],
  ])('answers 400 invalid_request for %s and consumes nothing', async (_, form) => {
    const offered = await offer();
    const result = await continueLogin(form, { binding: offered.binding });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_request');
    expect(await pending(offered.continuation)).toBeDefined();
  });

  it("refuses a form posted by another site's page (403) before it spends anything or consumes the continuation", async () => {
    const offered = await offer();
    const address = freshAddress();
    const posted = { binding: offered.binding, origin: 'https://evil.example', sourceIp: address };
    const result = await continueLogin(continuationForm(offered.continuation), posted);
    expect(result.statusCode).toBe(403);
    expect(await pending(offered.continuation)).toBeDefined();
    const spent = (await integration.store.all('rateLimits')).filter((row) => String(row.id).includes(sha256(address)));
    expect(spent).toEqual([]);
  });

  it('answers 429 with Retry-After once a client address has spent its failure budget, and consumes nothing then', async () => {
    const address = freshAddress();
    for (let i = 0; i < FAILURE_LIMIT; i += 1) {
      expect((await continueLogin(continuationForm('C'.repeat(43)), { sourceIp: address })).statusCode).toBe(400);
    }
    const offered = await offer();
    const limited = await continueLogin(continuationForm(offered.continuation), { binding: offered.binding, sourceIp: address });
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers!['Retry-After'])).toBeGreaterThan(0);
    expect(await pending(offered.continuation)).toBeDefined();
    expect((await continueLogin(continuationForm(offered.continuation), { binding: offered.binding })).statusCode).toBe(302);
  });

  it('lets exactly one of 20 simultaneous clicks with one continuation through', async () => {
    const offered = await offer();
    const results = await Promise.all(
      Array.from({ length: 20 }, () => continueLogin(continuationForm(offered.continuation), { binding: offered.binding })),
    );
    const statuses = results.map((result) => result.statusCode);
    expect(statuses.filter((status) => status === 302)).toHaveLength(1);
    expect(statuses.filter((status) => status === 400)).toHaveLength(19);
    expect(await codesOf(offered.sessionId)).toHaveLength(1);
  });
});
