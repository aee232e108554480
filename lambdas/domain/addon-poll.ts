import {
  claimPoll,
  findAddonSession,
  releasePoll,
  takeAuthenticated,
  takeCancelled,
  type AddonSessionRecord,
} from '../repositories/addon-sessions';
import { takeUnit } from '../repositories/rate-limits';
import { findSession } from '../repositories/sessions';
import type { AppConfig } from '../shared/config';
import { randomSecret, sha256 } from '../shared/crypto';
import { NotFound, TooManyRequests } from '../shared/errors';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import type { SigningKey } from '../shared/signing-keys';
import { nowSeconds } from '../shared/time';
import { mintAccessToken, type AccessToken } from './access-tokens';
import { POLL_INTERVAL_SECONDS } from './addon-open';
import { recordTokenAudience } from './logout-audiences';
import { rateLimiter } from './rate-limit';

/** `client_id` of the access tokens minted for add-ins. */
export const ADDONS_CLIENT_ID = 'guichet-addons';
/** The longest a poll may wait for a change; API Gateway's integration limit is 30 s. */
export const MAX_WAIT_SECONDS = 20;
/** A poll's mark outlives its wait by this much, in case its Lambda dies before removing it. */
const MARK_MARGIN_SECONDS = 5;

type PollConfig = Pick<
  AppConfig,
  | 'addonsTokenScope'
  | 'addonsTokenTtlSeconds'
  | 'publicUrl'
  | 'accessTokenAudience'
  | 'addonsPollLimit'
  | 'addonsRateLimitWindowSeconds'
  | 'addonsLongPollLimit'
  | 'backchannelLogoutUris'
>;

/** Every poll counts against its address's poll budget, whatever it finds. */
export function addonPollLimiter(config: Pick<AppConfig, 'addonsPollLimit' | 'addonsRateLimitWindowSeconds'>) {
  return rateLimiter({
    purpose: 'addon-polls',
    limit: config.addonsPollLimit,
    windowSeconds: config.addonsRateLimitWindowSeconds,
    refusal: 'too many polls from this address; poll less often',
  });
}

export type PollResult =
  | { readonly state: 'pending' }
  | ({ readonly state: 'authenticated'; readonly scope: string } & AccessToken);

/**
 * The add-in's poll. Only one poll of an add-in login runs at a time (a mark with a short expiry, set in one
 * conditional write; a second poll is told to slow down at once). A long poll holds its Lambda only while its
 * address has fewer than ADDONS_LONG_POLL_LIMIT long polls started in the current period; beyond, it is answered
 * at once. Pending stays pending (optionally waiting for a change); an authenticated login is taken by one
 * conditional delete, so exactly one poll gets the token, minted then (no token ever rests in the table) and only
 * if the web session that confirmed it is still live.
 */
export async function pollAddonSession(
  sessionId: string,
  clientAddress: string,
  waitSeconds: number,
  signingKey: () => Promise<SigningKey>,
  config: PollConfig,
): Promise<PollResult> {
  const id = sha256(sessionId);
  const pollId = randomSecret();
  const now = nowSeconds();
  if (!(await claimPoll(id, pollId, now + waitSeconds + MARK_MARGIN_SECONDS, now))) {
    if (!(await findAddonSession(id))) throw new NotFound('unknown add-in session');
    throw new TooManyRequests('another poll of this add-in sign-in is in progress', POLL_INTERVAL_SECONDS);
  }
  try {
    const wait = waitSeconds > 0 && (await mayHoldLongPoll(clientAddress, config)) ? waitSeconds : 0;
    return await collect(id, await waitForChange(id, wait * 1000), signingKey, config);
  } finally {
    await releasePoll(id, pollId);
  }
}

/** One unit of the address's long-poll share for the current period of MAX_WAIT_SECONDS. */
async function mayHoldLongPoll(clientAddress: string, config: Pick<AppConfig, 'addonsLongPollLimit'>): Promise<boolean> {
  const now = nowSeconds();
  const period = now - (now % MAX_WAIT_SECONDS);
  const granted = await takeUnit(`addon-long-polls#${sha256(clientAddress)}#${period}`, config.addonsLongPollLimit, period + MAX_WAIT_SECONDS);
  if (!granted) countMetric(MetricName.LongPollShortened);
  return granted;
}

async function collect(
  id: string,
  current: AddonSessionRecord | undefined,
  signingKey: () => Promise<SigningKey>,
  config: PollConfig,
): Promise<PollResult> {
  if (!current) throw new NotFound('unknown add-in session');
  if (current.expiresAt <= nowSeconds()) {
    countMetric(MetricName.AddonSessionExpired);
    throw new NotFound('the add-in login has expired');
  }
  if (current.state === 'pending') return { state: 'pending' };
  if (current.state === 'cancelled') {
    await takeCancelled(id);
    throw new NotFound('the sign-in was cancelled in the dialog');
  }

  const taken = await takeAuthenticated(id);
  if (!taken) throw new NotFound('unknown add-in session');
  const webSession = await findSession(taken.webSessionId);
  if (!webSession || webSession.expiresAt <= nowSeconds()) throw new NotFound('the login that completed it has ended');
  const recorded = await recordTokenAudience(webSession, config.accessTokenAudience, config);
  if (!recorded) throw new NotFound('the login that completed it has ended');
  const token = await mintAccessToken(
    { sub: taken.sub, email: taken.email ?? undefined, clientId: ADDONS_CLIENT_ID, scope: config.addonsTokenScope, ttlSeconds: config.addonsTokenTtlSeconds },
    await signingKey(),
    config,
  );
  countMetric(MetricName.AddonSessionCompleted);
  logger.info('add-in token delivered', { addonSession: id });
  return { state: 'authenticated', scope: config.addonsTokenScope, ...token };
}

/** Reads the login until it is no longer pending or the wait is over, backing off between reads. */
async function waitForChange(id: string, waitMillis: number): Promise<AddonSessionRecord | undefined> {
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
