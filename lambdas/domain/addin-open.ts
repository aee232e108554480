import { saveAddinSession } from '../repositories/addin-sessions';
import { saveTransitToken } from '../repositories/transit-tokens';
import type { AppConfig } from '../shared/config';
import { randomSecret, sha256 } from '../shared/crypto';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { nowSeconds } from '../shared/time';
import { addinCsrfToken } from './addin-csrf';
import { rateLimiter } from './rate-limit';

/** Seconds the add-in should wait between polls without `wait`. */
export const POLL_INTERVAL_SECONDS = 2;

type OpenConfig = Pick<AppConfig, 'addonsSessionTtlSeconds' | 'addonsTransitTokenTtlSeconds'>;

/** One budget per client address for the anonymous add-in endpoints: sessions opened, failed confirmations. */
export function addinRateLimiter(config: Pick<AppConfig, 'addonsRateLimit' | 'addonsRateLimitWindowSeconds'>) {
  return rateLimiter({
    purpose: 'addins',
    limit: config.addonsRateLimit,
    windowSeconds: config.addonsRateLimitWindowSeconds,
    refusal: 'too many add-in sign-ins from this address; retry later',
  });
}

export interface OpenedAddinSession {
  readonly transitToken: string;
  readonly csrfToken: string;
  readonly expiresIn: number;
  readonly interval: number;
  /** The add-in session's id: for the add-in's HttpOnly cookie alone, kept as long as the session (`expiresIn`). */
  readonly sessionId: string;
}

/**
 * Opens an add-in login: a session id that only the add-in's HttpOnly cookie will hold, and a transit token that
 * only the login dialog will hold, bound to the add-in's name the confirmation page will show and to the origin of
 * the add-in's page, the only window the confirmation will hand its completion code to. Both are stored as hashes.
 */
export async function openAddinSession(
  config: OpenConfig,
  csrfKey: string,
  origin: string,
  addinName?: string,
): Promise<OpenedAddinSession> {
  const sessionId = randomSecret();
  const transitToken = randomSecret();
  const now = nowSeconds();
  // The token first: if the second write fails, what is left is an orphan token that expires unused.
  await saveTransitToken({
    id: sha256(transitToken),
    addinSessionId: sha256(sessionId),
    state: 'pending',
    addinName,
    expiresAt: now + config.addonsTransitTokenTtlSeconds,
  });
  await saveAddinSession({
    id: sha256(sessionId),
    transitTokenId: sha256(transitToken),
    origin,
    state: 'pending',
    expiresAt: now + config.addonsSessionTtlSeconds,
  });
  countMetric(MetricName.AddinSessionOpened);
  logger.info('add-in session opened', { addinSession: sha256(sessionId) });
  return {
    transitToken,
    csrfToken: addinCsrfToken(sessionId, csrfKey),
    expiresIn: config.addonsSessionTtlSeconds,
    interval: POLL_INTERVAL_SECONDS,
    sessionId,
  };
}
