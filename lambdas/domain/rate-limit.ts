import { incrementCounter, readCounter } from '../repositories/rate-limits';
import { sha256 } from '../shared/crypto';
import { HttpError, TooManyRequests } from '../shared/errors';
import { nowSeconds } from '../shared/time';

export interface RateLimit {
  /** What is counted, e.g. `session-exchange-failures`. */
  readonly purpose: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

/**
 * A budget per client address in fixed windows. `check` refuses a client that has spent it (429 with
 * Retry-After until the window ends); `spend` uses one unit (a failure, or a creation of state).
 */
export type RateLimiter = ReturnType<typeof rateLimiter>;

export function rateLimiter(rule: RateLimit) {
  const window = () => {
    const now = nowSeconds();
    const start = now - (now % rule.windowSeconds);
    return { start, end: start + rule.windowSeconds, now };
  };
  // The address is hashed: the table needs no personal data to count.
  const counterId = (clientAddress: string, start: number) => `${rule.purpose}#${sha256(clientAddress)}#${start}`;

  return {
    async check(clientAddress: string): Promise<void> {
      const { start, end, now } = window();
      if ((await readCounter(counterId(clientAddress, start))) >= rule.limit) {
        throw new TooManyRequests('too many failed attempts; retry later', end - now);
      }
    },
    async spend(clientAddress: string): Promise<void> {
      const { start, end } = window();
      await incrementCounter(counterId(clientAddress, start), end);
    },
  };
}

/**
 * Runs `work` for a client that still has budget, and spends one unit when it fails on the client's
 * side (a 4xx): guessing and probing cost budget, server faults do not.
 */
export async function limitingFailures<T>(limiter: RateLimiter, clientAddress: string, work: () => Promise<T>): Promise<T> {
  await limiter.check(clientAddress);
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError && error.status < 500) await limiter.spend(clientAddress);
    throw error;
  }
}
