import {
  type AddinSessionRecord,
  claimPoll,
  deleteAddinSession,
  findAddinSession,
  releasePoll,
  takeCancelled,
  takeConfirmed,
} from '../repositories/addin-sessions';
import { takeUnit } from '../repositories/rate-limits';
import { findSession } from '../repositories/sessions';
import type { AppConfig } from '../shared/config';
import { randomSecret, safeEqual, sha256 } from '../shared/crypto';
import { InvalidGrant, NotFound, TooManyRequests } from '../shared/errors';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { unseal } from '../shared/seal';
import { nowSeconds } from '../shared/time';
import { POLL_INTERVAL_SECONDS } from './addin-open';
import { rateLimiter } from './rate-limit';

/** The longest a poll may wait for a change; API Gateway's integration limit is 30 s. */
export const MAX_WAIT_SECONDS = 20;
/** A poll's mark outlives its wait by this much, in case its Lambda dies before removing it. */
const MARK_MARGIN_SECONDS = 5;

/** Every poll counts against its address's poll budget, whatever it finds. */
export function addinPollLimiter(config: Pick<AppConfig, 'addonsPollLimit' | 'addonsRateLimitWindowSeconds'>) {
  return rateLimiter({
    purpose: 'addin-polls',
    limit: config.addonsPollLimit,
    windowSeconds: config.addonsRateLimitWindowSeconds,
    refusal: 'too many polls from this address; poll less often',
  });
}

export type PollResult =
  | { readonly state: 'pending' | 'confirmed' }
  | { readonly state: 'authenticated'; readonly token: string; readonly expiresIn: number; readonly scope: string };

/**
 * The add-in's poll. Only one poll of an add-in login runs at a time (a mark with a short expiry, set in one
 * conditional write; a second poll is told to slow down at once). A long poll holds its Lambda only while its
 * address has fewer than ADDONS_LONG_POLL_LIMIT long polls started in the current period; beyond, it is answered
 * at once. Pending stays pending (optionally waiting for a change). A confirmed login answers "confirmed" until the
 * poll presents the completion code that the confirmation page handed to the add-in's window only: then one
 * conditional delete gives the token to exactly one poll, if the web session that confirmed is still live. Any
 * other code ends the login: whoever presents it is not the add-in that was confirmed.
 */
export async function pollAddinSession(
  sessionId: string,
  clientAddress: string,
  waitSeconds: number,
  completion: string | undefined,
  config: Pick<AppConfig, 'addonsLongPollLimit'>,
): Promise<PollResult> {
  const id = sha256(sessionId);
  const pollId = randomSecret();
  const now = nowSeconds();
  if (!(await claimPoll(id, pollId, now + waitSeconds + MARK_MARGIN_SECONDS, now))) {
    if (!(await findAddinSession(id))) throw new NotFound('unknown add-in session');
    throw new TooManyRequests('another poll of this add-in sign-in is in progress', POLL_INTERVAL_SECONDS);
  }
  try {
    // A poll with the code comes after the confirmation: there is nothing to wait for.
    const wait = completion === undefined && waitSeconds > 0 && (await mayHoldLongPoll(clientAddress, config)) ? waitSeconds : 0;
    return await collect(id, await waitForChange(id, wait * 1000), completion);
  } finally {
    await releasePoll(id, pollId);
  }
}

/** One unit of the address's long-poll share for the current period of MAX_WAIT_SECONDS. */
async function mayHoldLongPoll(clientAddress: string, config: Pick<AppConfig, 'addonsLongPollLimit'>): Promise<boolean> {
  const now = nowSeconds();
  const period = now - (now % MAX_WAIT_SECONDS);
  const granted = await takeUnit(
    `addin-long-polls#${sha256(clientAddress)}#${period}`,
    config.addonsLongPollLimit,
    period + MAX_WAIT_SECONDS,
  );
  if (!granted) countMetric(MetricName.LongPollShortened);
  return granted;
}

async function collect(id: string, current: AddinSessionRecord | undefined, completion: string | undefined): Promise<PollResult> {
  if (!current) throw new NotFound('unknown add-in session');
  if (current.expiresAt <= nowSeconds()) {
    countMetric(MetricName.AddinSessionExpired);
    throw new NotFound('the add-in login has expired');
  }
  if (current.state === 'cancelled') {
    await takeCancelled(id);
    throw new NotFound('the sign-in was cancelled in the dialog');
  }
  if (completion === undefined) return { state: current.state };
  if (current.state !== 'confirmed' || !safeEqual(sha256(completion), current.completionHash)) {
    await deleteAddinSession(id);
    countMetric(MetricName.AddinCompletionRejected);
    logger.warn('add-in poll with a wrong completion code: add-in session ended', { addinSession: id });
    throw new InvalidGrant('the completion code is wrong: this add-in sign-in has ended');
  }

  const taken = await takeConfirmed(id, current.completionHash);
  const token = taken && unseal(taken.sealedToken, completion);
  if (!taken || token === undefined) throw new NotFound('unknown add-in session');
  const webSession = await findSession(taken.webSessionId);
  const now = nowSeconds();
  if (!webSession || webSession.expiresAt <= now || taken.tokenExpiresAt <= now) {
    throw new NotFound('the login that completed it has ended');
  }
  countMetric(MetricName.AddinSessionCompleted);
  logger.info('add-in token delivered', { addinSession: id });
  return { state: 'authenticated', token, expiresIn: taken.tokenExpiresAt - now, scope: taken.scope };
}

/** Reads the login until it is no longer pending or the wait is over, backing off between reads. */
async function waitForChange(id: string, waitMillis: number): Promise<AddinSessionRecord | undefined> {
  const deadline = Date.now() + waitMillis;
  let delay = 250;
  for (;;) {
    const record = await findAddinSession(id);
    if (record?.state !== 'pending' || record.expiresAt <= nowSeconds() || Date.now() + delay > deadline) {
      return record;
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2000);
  }
}
