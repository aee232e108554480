import { returnUnit, takeUnit } from '../repositories/rate-limits';
import type { AppConfig } from '../shared/config';
import { sha256 } from '../shared/crypto';
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

/** Counters this container saw spent are remembered until their window ends, this many at most. */
const MAX_REMEMBERED_SPENT = 1000;

export function rateLimiter(rule: RateLimit) {
  const window = () => {
    const now = nowSeconds();
    const start = now - (now % rule.windowSeconds);
    return { id: (address: string) => `${rule.purpose}#${sha256(address)}#${start}`, end: start + rule.windowSeconds, now };
  };
  /** By counter: the takes this container has in flight, and the counters it saw spent (ids name their window). */
  const inFlight = new Map<string, number>();
  const spent = new Set<string>();
  return {
    /**
     * Whether a unit is likely to be had: no take of this address is in flight in this container (a burst) and none
     * was refused in this window. Only a guess, for whether to start the work's reads before the unit is granted.
     */
    likelyToGrant(clientAddress: string): boolean {
      const counter = window().id(clientAddress);
      return !inFlight.has(counter) && !spent.has(counter);
    },
    async take(clientAddress: string): Promise<{ giveBack(): Promise<void> }> {
      const { id, end, now } = window();
      const counter = id(clientAddress);
      inFlight.set(counter, (inFlight.get(counter) ?? 0) + 1);
      const granted = await takeUnit(counter, rule.limit, end).finally(() => {
        const left = inFlight.get(counter)! - 1;
        if (left > 0) inFlight.set(counter, left);
        else inFlight.delete(counter);
      });
      if (!granted) {
        if (spent.size >= MAX_REMEMBERED_SPENT) spent.clear();
        spent.add(counter);
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
 *
 * `lookup`, the reads the work starts with, runs alongside the take rather than after it (one round trip instead of
 * two) while a unit is likely to be had: its result, or its failure, reaches `work` only once the unit is taken, so
 * nothing is evaluated beyond the budget, and a lookup that fails on the client's side (a malformed request) counts
 * as any other failure. In a burst of one address, or past its budget, it waits for the unit, so that requests
 * refused with 429 cost the one write that refuses them.
 */
export async function limitingFailures<T, L = undefined>(
  limiter: RateLimiter,
  clientAddress: string,
  work: (looked: L) => Promise<T>,
  lookup: () => Promise<L> = async () => undefined as L,
): Promise<T> {
  const start = () => Promise.resolve().then(lookup);
  const early = limiter.likelyToGrant(clientAddress) ? start() : undefined;
  // Its failure is the work's, met once the unit is taken: not an unhandled rejection meanwhile.
  early?.catch(() => undefined);
  let unit: Awaited<ReturnType<RateLimiter['take']>>;
  try {
    unit = await limiter.take(clientAddress);
  } catch (error) {
    // Nothing of this request runs on after its answer.
    await early?.then(undefined, () => undefined);
    throw error;
  }
  try {
    const result = await work(await (early ?? start()));
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
