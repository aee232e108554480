import { type CryptoKey, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { mintDownstreamLogoutToken } from '../../../lambdas/domain/downstream-logout-token';
import {
  attemptDelivery,
  classifyAnswer,
  classifyError,
  type DeliveryDependencies,
  deliveryDeadline,
  failedDelivery,
  parseDelivery,
  RETRY_CAP_SECONDS,
  retryAfterSeconds,
  retryDelaySeconds,
} from '../../../lambdas/domain/logout-delivery';
import type { LogoutDelivery } from '../../../lambdas/repositories/logout-deliveries';
import { type OutboundRequest, OutboundRequestFailed, OutboundRequestRefused } from '../../../lambdas/shared/outbound-fetch';
import type { SigningKey } from '../../../lambdas/shared/signing-keys';
import { testSigningKey } from '../../support/signing-key';

const AUDIENCE = 'https://api.product.example';
const ENDPOINT = 'https://api.product.example/backchannel-logout';
const now = () => Math.floor(Date.now() / 1000);
let signingKey: SigningKey;
let verificationKey: CryptoKey;

beforeAll(async () => {
  ({ signingKey, verificationKey } = await testSigningKey());
});

describe('the logout token guichet sends as the OP (Back-Channel Logout 1.0 §2.4)', () => {
  it('is a logout+jwt with kid, iss, aud, iat, exp two minutes later, a jti, the event, sid and sub, and no nonce', async () => {
    const token = mintDownstreamLogoutToken({ audience: AUDIENCE, sub: 'ana', sid: 'public-sid' }, signingKey, {
      publicUrl: 'https://auth.example.com',
    });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'RS256', typ: 'logout+jwt', kid: signingKey.kid });
    const { payload } = await jwtVerify(token, verificationKey, {
      issuer: 'https://auth.example.com',
      audience: AUDIENCE,
      typ: 'logout+jwt',
    });
    expect(payload).toEqual({
      iss: 'https://auth.example.com',
      aud: AUDIENCE,
      iat: expect.any(Number),
      exp: payload.iat! + 120,
      jti: expect.stringMatching(/^[\w-]{43}$/),
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      sid: 'public-sid',
      sub: 'ana',
    });
  });

  it('has a fresh jti every time', () => {
    const mint = () =>
      decodeJwt(mintDownstreamLogoutToken({ audience: AUDIENCE, sub: 'ana', sid: 's' }, signingKey, { publicUrl: 'https://a.example' }))
        .jti;
    expect(mint()).not.toBe(mint());
  });
});

describe('how an answer is read', () => {
  it.each([200, 204])('%i is delivered', (status) => {
    expect(classifyAnswer({ status, headers: {} })).toEqual({ outcome: 'delivered', status });
  });

  it.each([500, 502, 503, 504, 429])('%i is retried, after its Retry-After', (status) => {
    expect(classifyAnswer({ status, headers: { 'retry-after': '7' } })).toEqual({
      outcome: 'retry',
      reason: status === 429 ? 'http_429' : 'http_5xx',
      status,
      retryAfterSeconds: 7,
    });
  });

  it.each([400, 401, 403, 404, 410])('%i fails at once', (status) => {
    expect(classifyAnswer({ status, headers: {} })).toEqual({ outcome: 'failed', reason: 'http_4xx', status });
  });

  it.each([201, 202, 301, 302])('%i, no answer of the protocol (a redirect is not followed), fails', (status) => {
    expect(classifyAnswer({ status, headers: {} })).toEqual({ outcome: 'failed', reason: 'unexpected_status', status });
  });

  it('retries a transport error and a timeout, and fails what the SSRF guard refuses', () => {
    expect(classifyError(new OutboundRequestFailed('no answer within 5000 ms', true))).toEqual({ outcome: 'retry', reason: 'timeout' });
    expect(classifyError(new OutboundRequestFailed('request failed (ECONNREFUSED)'))).toEqual({ outcome: 'retry', reason: 'transport' });
    expect(classifyError(new OutboundRequestRefused('resolves to a private address'))).toEqual({ outcome: 'failed', reason: 'refused' });
    expect(() => classifyError(new TypeError('a bug'))).toThrow(TypeError);
  });

  it('reads Retry-After as seconds or as an HTTP date, and ignores anything else', () => {
    const nowMs = Date.parse('2026-01-01T00:00:00Z');
    expect(retryAfterSeconds('0', nowMs)).toBe(0);
    expect(retryAfterSeconds(' 120 ', nowMs)).toBe(120);
    expect(retryAfterSeconds('Thu, 01 Jan 2026 00:01:30 GMT', nowMs)).toBe(90);
    expect(retryAfterSeconds('Wed, 31 Dec 2025 23:00:00 GMT', nowMs)).toBe(0);
    expect(retryAfterSeconds('soon', nowMs)).toBeUndefined();
    expect(retryAfterSeconds('-5', nowMs)).toBeUndefined();
    expect(retryAfterSeconds(undefined, nowMs)).toBeUndefined();
  });
});

describe('when to try again', () => {
  it('doubles from about a second, with half of it random, up to 15 minutes', () => {
    const lowest = (attempt: number) => retryDelaySeconds(attempt, undefined, () => 0);
    const highest = (attempt: number) => retryDelaySeconds(attempt, undefined, () => 0.999);
    expect([1, 2, 3, 4, 5].map(highest)).toEqual([1, 2, 4, 8, 16]);
    expect([1, 2, 3, 4, 5].map(lowest)).toEqual([1, 1, 2, 4, 8]);
    expect(highest(30)).toBe(RETRY_CAP_SECONDS);
    expect(lowest(30)).toBe(RETRY_CAP_SECONDS / 2);
  });

  it("never before the endpoint's Retry-After, honoured up to SQS's 12 hours", () => {
    expect(retryDelaySeconds(1, 30, () => 0)).toBe(30);
    expect(retryDelaySeconds(10, 0, () => 0.999)).toBe(512);
    expect(retryDelaySeconds(1, 86_400, () => 0)).toBe(43_200);
  });
});

describe('one attempt', () => {
  const delivery: LogoutDelivery = { audience: AUDIENCE, sub: 'ana', sid: 'public-sid', endedAt: now() };
  const requests: OutboundRequest[] = [];
  const dependencies = (
    answer: () => Promise<{ status: number; headers?: Record<string, string> }>,
    maxAge = 86_400,
  ): DeliveryDependencies => ({
    config: {
      publicUrl: 'https://auth.example.com',
      backchannelLogoutUris: { [AUDIENCE]: ENDPOINT },
      logoutDeliveryMaxAgeSeconds: maxAge,
      allowLoopbackEndpoints: false,
    },
    signingKey: async () => signingKey,
    fetch: async (request) => {
      requests.push(request);
      const { status, headers = {} } = await answer();
      return { status, headers, body: Buffer.alloc(0) };
    },
  });

  beforeEach(() => (requests.length = 0));

  it("posts the form logout_token=<JWT> to the audience's endpoint, within 5 s", async () => {
    expect(
      await attemptDelivery(
        delivery,
        1,
        dependencies(async () => ({ status: 200 })),
      ),
    ).toEqual({ action: 'delivered', status: 200 });
    expect(requests).toEqual([
      expect.objectContaining({
        url: ENDPOINT,
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        timeoutMs: 5000,
      }),
    ]);
    const token = new URLSearchParams(requests[0].body).get('logout_token')!;
    expect(decodeJwt(token)).toMatchObject({ aud: AUDIENCE, sid: 'public-sid', sub: 'ana' });
  });

  it('retries a 503 after its backoff, and never past the age limit', async () => {
    const retry = await attemptDelivery(
      delivery,
      3,
      dependencies(async () => ({ status: 503, headers: { 'retry-after': '1' } })),
    );
    expect(retry).toEqual({ action: 'retry', inSeconds: expect.any(Number), reason: 'http_5xx', status: 503 });
    expect((retry as { inSeconds: number }).inSeconds).toBeGreaterThanOrEqual(2);
    const nearTheEnd = { ...delivery, endedAt: now() - 86_400 + 3 };
    expect(
      await attemptDelivery(
        nearTheEnd,
        1,
        dependencies(async () => ({ status: 503, headers: { 'retry-after': '3600' } })),
      ),
    ).toMatchObject({
      action: 'retry',
      inSeconds: expect.any(Number),
    });
    const retried = (await attemptDelivery(
      nearTheEnd,
      1,
      dependencies(async () => ({ status: 429, headers: { 'retry-after': '3600' } })),
    )) as { inSeconds: number };
    expect(retried.inSeconds).toBeLessThanOrEqual(3);
  });

  it('fails, without a request, a delivery past its age limit, unless an operator redrove it since', async () => {
    const old = { ...delivery, endedAt: now() - 86_401 };
    expect(
      await attemptDelivery(
        old,
        40,
        dependencies(async () => ({ status: 200 })),
      ),
    ).toEqual({ action: 'failed', reason: 'expired' });
    expect(requests).toEqual([]);
    expect(deliveryDeadline({ ...old, redrivenAt: now() }, { logoutDeliveryMaxAgeSeconds: 86_400 })).toBe(now() + 86_400);
    expect(
      await attemptDelivery(
        { ...old, redrivenAt: now() },
        1,
        dependencies(async () => ({ status: 204 })),
      ),
    ).toEqual({ action: 'delivered', status: 204 });
  });

  it('fails a delivery for an audience no longer registered, and a 4xx, keeping why', async () => {
    const unregistered = { ...delivery, audience: 'https://gone.example' };
    expect(
      await attemptDelivery(
        unregistered,
        1,
        dependencies(async () => ({ status: 200 })),
      ),
    ).toEqual({ action: 'failed', reason: 'unregistered' });
    const refused = await attemptDelivery(
      delivery,
      2,
      dependencies(async () => ({ status: 400 })),
    );
    expect(refused).toEqual({ action: 'failed', reason: 'http_4xx', status: 400 });
    expect(failedDelivery(delivery, refused as never, 2)).toEqual({
      ...delivery,
      failure: { reason: 'http_4xx', status: 400, at: expect.any(Number), attempts: 2 },
    });
  });

  it('reads a delivery message, and refuses anything else', () => {
    expect(parseDelivery(JSON.stringify(delivery))).toEqual(delivery);
    expect(parseDelivery('not json')).toBeUndefined();
    expect(parseDelivery(JSON.stringify({ ...delivery, endedAt: 'yesterday' }))).toBeUndefined();
    expect(parseDelivery(JSON.stringify({ ...delivery, sid: '' }))).toBeUndefined();
  });
});
