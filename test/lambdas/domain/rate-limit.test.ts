import { TooManyRequests } from '../../../lambdas/shared/errors';
import { startIntegration, type Integration } from '../../support/integration';

let integration: Integration;
let rateLimiter: typeof import('../../../lambdas/domain/rate-limit').rateLimiter;

beforeAll(async () => {
  integration = await startIntegration();
  ({ rateLimiter } = await import('../../../lambdas/domain/rate-limit'));
});
afterAll(() => integration?.guichet.close());

describe('rateLimiter', () => {
  it('counts concurrent spending without losing any unit, then refuses with the time left in the window', async () => {
    const limiter = rateLimiter({ purpose: 'test-concurrent', limit: 20, windowSeconds: 600 });
    await limiter.check('203.0.113.1');
    await Promise.all(Array.from({ length: 20 }, () => limiter.spend('203.0.113.1')));

    const refusal = await limiter.check('203.0.113.1').catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(TooManyRequests);
    const retryAfter = Number((refusal as TooManyRequests).headers['Retry-After']);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(600);
  });

  it('keeps client addresses apart', async () => {
    const limiter = rateLimiter({ purpose: 'test-separate', limit: 1, windowSeconds: 600 });
    await limiter.spend('203.0.113.2');
    await expect(limiter.check('203.0.113.2')).rejects.toBeInstanceOf(TooManyRequests);
    await expect(limiter.check('203.0.113.3')).resolves.toBeUndefined();
  });

  it('stores a hashed address and an expiry at the end of the window', async () => {
    const limiter = rateLimiter({ purpose: 'test-stored', limit: 5, windowSeconds: 60 });
    await limiter.spend('203.0.113.4');
    const counters = (await integration.store.all('rateLimits')).filter((item) => String(item.id).startsWith('test-stored#'));
    expect(counters).toHaveLength(1);
    expect(String(counters[0].id)).not.toContain('203.0.113.4');
    expect(counters[0].count).toBe(1);
    const expiresAt = counters[0].expiresAt as number;
    expect(expiresAt % 60).toBe(0);
    expect(expiresAt).toBeGreaterThan(Date.now() / 1000);
  });
});
