import { incrementCounter, readCounter } from '../repositories/rate-limits';
import { sha256 } from '../shared/crypto';
import { TooManyRequests } from '../shared/errors';
import { nowSeconds } from '../shared/time';

export interface RateLimit {
  /** What is counted, e.g. `session-exchange-failures`. */
  readonly purpose: string;
  readonly limit: number;
  readonly windowSeconds: number;
}

/**
 * Failure budget per client address in fixed windows. `check` refuses a client that has spent its
 * budget (429 with Retry-After until the window ends); `recordFailure` spends one unit.
 */
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
    async recordFailure(clientAddress: string): Promise<void> {
      const { start, end } = window();
      await incrementCounter(counterId(clientAddress, start), end);
    },
  };
}
