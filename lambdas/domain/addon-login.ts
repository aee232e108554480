import {
  deleteAddonSession,
  findAddonSession,
  markAuthenticated,
  saveAddonSession,
  takeAuthenticated,
} from '../repositories/addon-sessions';
import { findSession, type SessionRecord } from '../repositories/sessions';
import { consumeTransitToken, saveTransitToken } from '../repositories/transit-tokens';
import type { AppConfig } from '../shared/config';
import { serializeCookie } from '../shared/cookies';
import { randomSecret, sha256 } from '../shared/crypto';
import { InvalidRequest, NotFound } from '../shared/errors';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import type { SigningKey } from '../shared/signing-keys';
import { nowSeconds } from '../shared/time';
import { mintAccessToken, type AccessToken } from './access-tokens';
import { addonCsrfToken } from './addon-csrf';
import { rateLimiter } from './rate-limit';

export const ADDONS_SESSION_COOKIE = 'guichet_addons_sid';
/** `client_id` of the access tokens minted for add-ins. */
export const ADDONS_CLIENT_ID = 'guichet-addons';
/** Seconds the add-in should wait between polls without `wait`. */
const POLL_INTERVAL_SECONDS = 2;

type AddonConfig = Pick<
  AppConfig,
  'addonsSessionTtlSeconds' | 'addonsTransitTokenTtlSeconds' | 'addonsTokenScope' | 'addonsTokenTtlSeconds' | 'publicUrl' | 'accessTokenAudience'
>;

export interface OpenedAddonSession {
  readonly transitToken: string;
  readonly csrfToken: string;
  readonly expiresIn: number;
  readonly interval: number;
  readonly cookie: string;
}

/**
 * Opens an add-in login: a session id that only the add-in's HttpOnly cookie will hold, and a transit
 * token that only the login dialog will hold. Both are stored as hashes.
 */
export async function openAddonSession(config: AddonConfig, csrfKey: string, addinName?: string): Promise<OpenedAddonSession> {
  const sessionId = randomSecret();
  const transitToken = randomSecret();
  const now = nowSeconds();
  // The token first: if the second write fails, what is left is an orphan token that expires unused.
  await saveTransitToken({
    id: sha256(transitToken),
    addonSessionId: sha256(sessionId),
    state: 'pending',
    addinName,
    expiresAt: now + config.addonsTransitTokenTtlSeconds,
  });
  await saveAddonSession({
    id: sha256(sessionId),
    transitTokenId: sha256(transitToken),
    state: 'pending',
    expiresAt: now + config.addonsSessionTtlSeconds,
  });
  countMetric(MetricName.AddonSessionOpened);
  logger.info('add-in session opened', { addonSession: sha256(sessionId) });
  return {
    transitToken,
    csrfToken: addonCsrfToken(sessionId, csrfKey),
    expiresIn: config.addonsSessionTtlSeconds,
    interval: POLL_INTERVAL_SECONDS,
    cookie: serializeCookie(ADDONS_SESSION_COOKIE, sessionId, {
      path: '/addons/sessions',
      maxAgeSeconds: config.addonsSessionTtlSeconds,
      sameSite: 'None',
      secure: true,
      partitioned: true,
    }),
  };
}

/**
 * The confirmed dialog redeems the transit token for the logged-in user: pending → consumed, then the
 * add-in session pending → authenticated. A replayed token means it leaked: the add-in session is evicted.
 */
export async function completeAddonSession(transitToken: string, webSession: SessionRecord): Promise<void> {
  const now = nowSeconds();
  const consumption = await consumeTransitToken(sha256(transitToken), now);
  if (consumption.outcome === 'replayed') {
    await deleteAddonSession(consumption.record.addonSessionId);
    countMetric(MetricName.AddonReplayDetected);
    logger.warn('add-in transit token replayed: add-in session evicted', { addonSession: consumption.record.addonSessionId });
    throw new InvalidRequest('the transit token was already used');
  }
  if (consumption.outcome !== 'consumed') throw new InvalidRequest('unknown or expired transit token');

  const identity = { sub: webSession.sub, email: webSession.email, name: webSession.name, webSessionId: webSession.id };
  if (!(await markAuthenticated(consumption.record.addonSessionId, consumption.record.id, identity, now))) {
    throw new InvalidRequest('the add-in login has expired');
  }
  logger.info('add-in session authenticated', { addonSession: consumption.record.addonSessionId, session: webSession.id });
}

/** One budget per client address for the anonymous add-in endpoints: sessions opened, failed polls. */
export function addonsRateLimiter(config: Pick<AppConfig, 'addonsRateLimit' | 'addonsRateLimitWindowSeconds'>) {
  return rateLimiter({ purpose: 'addons', limit: config.addonsRateLimit, windowSeconds: config.addonsRateLimitWindowSeconds });
}

export type PollResult =
  | { readonly state: 'pending' }
  | ({ readonly state: 'authenticated'; readonly scope: string } & AccessToken);

/**
 * The add-in's poll. Pending stays pending (optionally waiting for a change); an authenticated session is
 * taken by one conditional delete, so exactly one poll gets the token, minted then (no token ever rests
 * in the table) and only if the web session that confirmed it is still live.
 */
export async function pollAddonSession(
  sessionId: string,
  waitMillis: number,
  signingKey: () => Promise<SigningKey>,
  config: AddonConfig,
): Promise<PollResult> {
  const id = sha256(sessionId);
  const current = await waitForChange(id, waitMillis);
  if (!current) throw new NotFound('unknown add-in session');
  if (current.expiresAt <= nowSeconds()) {
    countMetric(MetricName.AddonSessionExpired);
    throw new NotFound('the add-in login has expired');
  }
  if (current.state === 'pending') return { state: 'pending' };

  const taken = await takeAuthenticated(id);
  if (!taken) throw new NotFound('unknown add-in session');
  const webSession = await findSession(taken.webSessionId);
  if (!webSession || webSession.expiresAt <= nowSeconds()) throw new NotFound('the login that completed it has ended');
  const token = await mintAccessToken(
    { sub: taken.sub, email: taken.email ?? undefined, clientId: ADDONS_CLIENT_ID, scope: config.addonsTokenScope, ttlSeconds: config.addonsTokenTtlSeconds },
    await signingKey(),
    config,
  );
  countMetric(MetricName.AddonSessionCompleted);
  logger.info('add-in token delivered', { addonSession: id });
  return { state: 'authenticated', scope: config.addonsTokenScope, ...token };
}

/** Reads the session until it is no longer pending or the wait is over, backing off between reads. */
async function waitForChange(id: string, waitMillis: number) {
  const deadline = Date.now() + waitMillis;
  let delay = 250;
  for (;;) {
    const record = await findAddonSession(id);
    if (!record || record.state !== 'pending' || record.expiresAt <= nowSeconds() || Date.now() + delay > deadline) {
      return record;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
  }
}
