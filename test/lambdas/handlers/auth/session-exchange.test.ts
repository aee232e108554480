import { sha256 } from '../../../../lambdas/shared/crypto';
import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';
import { pkcePair } from '../../../support/pkce';

const FAILURE_LIMIT = 5;
let integration: Integration;
let handler: typeof import('../../../../lambdas/handlers/auth/session-exchange').handler;
let issueCode: (clientSub?: string) => Promise<{ code: string; verifier: string; sessionId: string; token: string }>;
let addressCounter = 0;

beforeAll(async () => {
  integration = await startIntegration({ SESSION_EXCHANGE_FAILURE_LIMIT: String(FAILURE_LIMIT) });
  ({ handler } = await import('../../../../lambdas/handlers/auth/session-exchange'));
  const { createSession } = await import('../../../../lambdas/domain/sessions');
  const { exchangeCodeRedirect } = await import('../../../../lambdas/domain/native-login');
  issueCode = async (sub = 'ivy') => {
    const identity = { issuer: 'https://idp.test', sub, email: `${sub}@example.test`, issuedAt: Math.floor(Date.now() / 1000) };
    const session = await createSession(identity, 'native');
    const { verifier, challenge } = pkcePair();
    const location = await exchangeCodeRedirect(
      session,
      { returnTo: 'visio://auth', appCodeChallenge: challenge },
      { exchangeCodeTtlSeconds: 30 },
    );
    return { code: new URL(location).searchParams.get('code')!, verifier, sessionId: session.record.id, token: session.token };
  };
});
afterAll(() => integration?.guichet.close());

/** Each test gets its own client address, so failure budgets do not leak between tests. */
const freshAddress = () => `198.51.100.${(addressCounter += 1)}`;

function exchange(body: unknown, sourceIp = freshAddress()) {
  const event = httpEvent({
    method: 'POST',
    path: '/auth/session-exchange',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  event.requestContext.http.sourceIp = sourceIp;
  return invoke(handler, event);
}

describe('POST /auth/session-exchange', () => {
  it('swaps the code and its verifier for the session token, once', async () => {
    const { code, verifier, token } = await issueCode();
    const result = await exchange({ code, code_verifier: verifier });

    expect(result.statusCode).toBe(200);
    expect(result.headers!['Cache-Control']).toBe('no-store');
    const body = jsonBody(result);
    expect(body).toEqual({
      session_token: token,
      token_type: 'Bearer',
      expires_in: expect.any(Number),
      user: { sub: 'ivy', email: 'ivy@example.test', name: null },
    });
    expect(body.expires_in).toBeGreaterThan(43000);
    expect(await integration.store.get('exchangeCodes', sha256(code))).toBeUndefined();

    const replay = await exchange({ code, code_verifier: verifier });
    expect(replay.statusCode).toBe(400);
    expect(jsonBody(replay).error).toBe('invalid_grant');
  });

  it('stores the code only as a hash, and the session token only sealed', async () => {
    const { code, token } = await issueCode();
    const row = (await integration.store.get('exchangeCodes', sha256(code)))!;
    expect(JSON.stringify(row)).not.toContain(code);
    expect(JSON.stringify(row)).not.toContain(token);
  });

  it('burns the code on a wrong verifier', async () => {
    const { code, verifier } = await issueCode();
    const wrong = await exchange({ code, code_verifier: pkcePair().verifier });
    expect(wrong.statusCode).toBe(400);
    expect(jsonBody(wrong).error).toBe('invalid_grant');
    expect((await exchange({ code, code_verifier: verifier })).statusCode).toBe(400);
  });

  it('refuses an expired code even while its row still exists', async () => {
    const { code, verifier } = await issueCode();
    const row = (await integration.store.get('exchangeCodes', sha256(code)))!;
    await integration.store.put('exchangeCodes', { ...row, expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const result = await exchange({ code, code_verifier: verifier });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_grant');
  });

  it('refuses a code whose session ended meanwhile', async () => {
    const { code, verifier, sessionId } = await issueCode();
    await integration.store.remove('sessions', sessionId);
    const result = await exchange({ code, code_verifier: verifier });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_grant');
  });

  it('refuses an unknown code', async () => {
    const result = await exchange({ code: 'A'.repeat(43), code_verifier: pkcePair().verifier });
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_grant');
  });

  it.each([
    ['no verifier', { code: 'A'.repeat(43) }],
    ['a too short verifier', { code: 'A'.repeat(43), code_verifier: 'short' }],
    ['a non-string code', { code: 42, code_verifier: 'A'.repeat(43) }],
  ])('answers 400 invalid_request for %s, and consumes nothing', async (_, body) => {
    const { code, verifier } = await issueCode();
    const result = await exchange(body);
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_request');
    expect((await exchange({ code, code_verifier: verifier })).statusCode).toBe(200);
  });

  it('answers 400 invalid_request, not 5xx, to a body that is not valid JSON', async () => {
    const result = await exchange('code=abc');
    expect(result.statusCode).toBe(400);
    expect(jsonBody(result).error).toBe('invalid_request');
  });

  it('answers 429 with Retry-After once a client address has spent its failure budget', async () => {
    const address = freshAddress();
    for (let i = 0; i < FAILURE_LIMIT; i += 1) {
      expect((await exchange({ code: 'B'.repeat(43), code_verifier: pkcePair().verifier }, address)).statusCode).toBe(400);
    }
    const { code, verifier } = await issueCode();
    const limited = await exchange({ code, code_verifier: verifier }, address);
    expect(limited.statusCode).toBe(429);
    expect(jsonBody(limited).error).toBe('slow_down');
    expect(Number(limited.headers!['Retry-After'])).toBeGreaterThan(0);
    expect(await integration.store.get('exchangeCodes', sha256(code))).toBeDefined();

    expect((await exchange({ code, code_verifier: verifier })).statusCode).toBe(200);
  });

  it('lets exactly one of 50 simultaneous exchanges of one code succeed', async () => {
    const { code, verifier } = await issueCode();
    const results = await Promise.all(Array.from({ length: 50 }, () => exchange({ code, code_verifier: verifier })));
    const statuses = results.map((r) => r.statusCode);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 400)).toHaveLength(49);
  });
});
