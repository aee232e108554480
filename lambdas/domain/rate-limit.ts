import { returnUnit, takeUnit } from '../repositories/rate-limits';
import { sha256 } from '../shared/crypto';
import type { AppConfig } from '../shared/config';
import { HttpError, TooManyRequests } from '../shared/errors';
import { MetricName, type RateLimitPurpose } from '../shared/metric-names';
import { countMetric } from '../shared/observability';
import { nowSeconds } from '../shared/time';

export interface RateLimit {
  /** What is counted; the `reason` of the RateLimited metric. */
  readonly purpose: RateLimitPurpose;
  readonly limit: number;
  readonly windowSeconds: number;
  /** What the 429 says, e.g. "too many failed exchanges from this address". */
  readonly refusal: string;
}

/**
 * A budget per client address in fixed windows. `take` uses one unit, deciding and counting in one atomic
 * update, or refuses (429 with Retry-After until the window ends); `giveBack` returns a unit that should not
 * have counted. The address is hashed: the table needs no personal data to count.
 */
export type RateLimiter = ReturnType<typeof rateLimiter>;

export function rateLimiter(rule: RateLimit) {
  const window = () => {
    const now = nowSeconds();
    const start = now - (now % rule.windowSeconds);
    return { id: (address: string) => `${rule.purpose}#${sha256(address)}#${start}`, end: start + rule.windowSeconds, now };
  };
  return {
    async take(clientAddress: string): Promise<{ giveBack(): Promise<void> }> {
      const { id, end, now } = window();
      const counter = id(clientAddress);
      if (!(await takeUnit(counter, rule.limit, end))) {
        countMetric(MetricName.RateLimited, { reason: rule.purpose });
        throw new TooManyRequests(rule.refusal, end - now);
      }
      return { giveBack: () => returnUnit(counter) };
    },
  };
}

/**
 * Runs `work` for a client with budget left, counting only what fails on the client's side (a 4xx: guessing,
 * probing). The unit is taken before the work, so concurrent failures can never exceed the limit, and given
 * back when the work succeeds or fails on the server's side.
 */
export async function limitingFailures<T>(limiter: RateLimiter, clientAddress: string, work: () => Promise<T>): Promise<T> {
  const unit = await limiter.take(clientAddress);
  try {
    const result = await work();
    await unit.giveBack();
    return result;
  } catch (error) {
    if (!(error instanceof HttpError && error.status < 500)) await unit.giveBack();
    throw error;
  }
}

/** Failed token requests, of either token endpoint: one budget per address, so that guesses cannot be spread. */
export function tokenFailureLimiter(config: Pick<AppConfig, 'tokenFailureLimit' | 'tokenFailureWindowSeconds'>): RateLimiter {
  return rateLimiter({
    purpose: 'token-failures',
    limit: config.tokenFailureLimit,
    windowSeconds: config.tokenFailureWindowSeconds,
    refusal: 'too many failed token requests from this address; retry later',
  });
}
