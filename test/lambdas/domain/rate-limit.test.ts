import { sha256 } from '../../../lambdas/shared/crypto';
import { InvalidRequest, ServerError, TooManyRequests } from '../../../lambdas/shared/errors';
import { type Integration, startIntegration } from '../../support/integration';

let integration: Integration;
let rateLimiter: typeof import('../../../lambdas/domain/rate-limit').rateLimiter;
let limitingFailures: typeof import('../../../lambdas/domain/rate-limit').limitingFailures;

beforeAll(async () => {
  integration = await startIntegration();
  ({ rateLimiter, limitingFailures } = await import('../../../lambdas/domain/rate-limit'));
});
afterAll(() => integration?.guichet.close());

const limiterOf = (purpose: 'logins' | 'token-failures' | 'addins', limit: number, windowSeconds = 600) =>
  rateLimiter({ purpose, limit, windowSeconds, refusal: 'too many from this address' });
const counters = async (address: string) =>
  (await integration.store.all('rateLimits')).filter((item) => String(item.id).includes(`#${sha256(address)}#`));

describe('rateLimiter', () => {
  it('decides and counts in one atomic step: of 200 concurrent requests against a limit of 10, exactly 10 get a unit', async () => {
    const limiter = limiterOf('logins', 10);
    const outcomes = await Promise.allSettled(Array.from({ length: 200 }, () => limiter.take('203.0.113.1')));
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(10);
    const refusals = outcomes
      .filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected')
      .map((outcome) => outcome.reason as Error);
    expect(refusals).toHaveLength(190);
    for (const refusal of refusals) {
      expect(refusal).toBeInstanceOf(TooManyRequests);
      expect(refusal.message).toBe('too many from this address');
      const retryAfter = Number((refusal as TooManyRequests).headers['Retry-After']);
      expect(retryAfter).toBeGreaterThan(0);
      expect(retryAfter).toBeLessThanOrEqual(600);
    }
    expect((await counters('203.0.113.1'))[0].count).toBe(10);
  });

  it('keeps client addresses apart', async () => {
    const limiter = limiterOf('token-failures', 1);
    await limiter.take('203.0.113.2');
    await expect(limiter.take('203.0.113.2')).rejects.toBeInstanceOf(TooManyRequests);
    await expect(limiter.take('203.0.113.3')).resolves.toBeDefined();
  });

  it('takes a unit back when asked', async () => {
    const limiter = limiterOf('addins', 1);
    const unit = await limiter.take('203.0.113.4');
    await unit.giveBack();
    await expect(limiter.take('203.0.113.4')).resolves.toBeDefined();
  });

  it('stores a hashed address and an expiry at the end of the window', async () => {
    await limiterOf('addins', 5, 60).take('203.0.113.5');
    const stored = await counters('203.0.113.5');
    expect(stored).toHaveLength(1);
    expect(String(stored[0].id)).not.toContain('203.0.113.5');
    const expiresAt = stored[0].expiresAt as number;
    expect(expiresAt % 60).toBe(0);
    expect(expiresAt).toBeGreaterThan(Date.now() / 1000);
  });
});

describe('limitingFailures', () => {
  it("counts only the client's failures: successes and server faults give their unit back", async () => {
    const limiter = limiterOf('token-failures', 2);
    const address = '203.0.113.6';
    await limitingFailures(limiter, address, async () => 'ok');
    await expect(limitingFailures(limiter, address, async () => Promise.reject(new ServerError('down')))).rejects.toThrow('down');
    await expect(limitingFailures(limiter, address, async () => Promise.reject(new InvalidRequest('guess')))).rejects.toThrow('guess');
    expect((await counters(address))[0].count).toBe(1);
  });

  it('never evaluates more concurrent failures than the limit', async () => {
    const limiter = limiterOf('token-failures', 10);
    let evaluated = 0;
    const attempts = await Promise.allSettled(
      Array.from({ length: 200 }, () =>
        limitingFailures(limiter, '203.0.113.7', async () => {
          evaluated += 1;
          throw new InvalidRequest('wrong');
        }),
      ),
    );
    expect(evaluated).toBe(10);
    expect(attempts.filter((attempt) => attempt.status === 'rejected' && attempt.reason instanceof TooManyRequests)).toHaveLength(190);
  });
});
