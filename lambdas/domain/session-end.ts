import { queueLogoutDeliveries } from '../repositories/logout-deliveries';
import {
  clearLogoutOutbox,
  type EndedSessionRecord,
  endSessionItem,
  findEndedSession,
  type SessionRecord,
  sessionIdsBy,
} from '../repositories/sessions';
import { type AppConfig, appConfig } from '../shared/config';
import { sha256 } from '../shared/crypto';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { nowSeconds } from '../shared/time';
import { publicSessionId } from './public-session-id';

/** What ended a session: the person at guichet, or the IdP's back-channel logout. */
export type SessionEndCause = 'logout' | 'backchannel';

/** The outbox index is spread over this many keys, so that a wave of logouts never heats one index partition. */
export const LOGOUT_OUTBOX_SHARDS = 8;

export function logoutOutboxKey(shard: number): string {
  return `pending#${shard}`;
}

/**
 * How old an ended session must be in the outbox for the sweeper to queue its deliveries: longer than the functions
 * that end sessions may run (their timeout, 10 s), so that the sweeper only picks what a dead one left behind (a
 * live one would queue the same deliveries twice; receivers dedupe on `sid`, but there is no need).
 */
export const LOGOUT_OUTBOX_GRACE_SECONDS = 15;

/**
 * The one way a session ends, whichever path ends it (POST /auth/logout, the IdP's back-channel logout). The end
 * and the record of the logout deliveries it owes (one per audience it was issued a token for that registered a
 * back-channel logout endpoint) are one conditional write; the deliveries are then queued, and the record cleared.
 * Nothing waits for any product backend: the queue's consumer delivers. If queuing fails or this function dies
 * first, the record stays in the outbox and the sweeper queues it. Returns the session as it was, or undefined
 * when there was none to end (unknown, already ended, or another user's when `subjectKey` is given).
 */
export async function endSession(
  sessionId: string,
  cause: SessionEndCause,
  subjectKey?: string,
  config: Pick<AppConfig, 'logoutDeliveryMaxAgeSeconds'> = appConfig(),
): Promise<SessionRecord | undefined> {
  const endedAt = nowSeconds();
  const ended = await endSessionItem(sessionId, {
    subjectKey,
    endedAt,
    keepUntil: endedAt + config.logoutDeliveryMaxAgeSeconds,
    outboxKey: logoutOutboxKey(sessionId.charCodeAt(0) % LOGOUT_OUTBOX_SHARDS),
  });
  if (!ended) return undefined;
  countMetric(MetricName.SessionEnded);
  logger.info('session ended', { session: sessionId, reason: cause, logoutDeliveries: ended.logoutAudiences?.size ?? 0 });
  if (ended.logoutAudiences?.size) {
    await queueOutbox({ id: sessionId, sub: ended.sub, endedAt, logoutAudiences: ended.logoutAudiences });
  }
  return ended;
}

/** Ends the session a token opens (POST /auth/logout); returns it if it was live. */
export async function endSessionOfToken(token: string): Promise<SessionRecord | undefined> {
  const ended = await endSession(sha256(token), 'logout');
  return ended && ended.expiresAt > nowSeconds() ? ended : undefined;
}

/**
 * Queues the deliveries of an ended session, then takes it out of the outbox. A failure leaves it there, for the
 * sweeper: it is logged, never thrown, since the session has ended either way. True when they were queued.
 */
export async function queueOutbox(ended: EndedSessionRecord): Promise<boolean> {
  const sid = publicSessionId(ended.id);
  const deliveries = [...ended.logoutAudiences].map((audience) => ({ audience, sub: ended.sub, sid, endedAt: ended.endedAt }));
  try {
    if (!(await queueLogoutDeliveries(deliveries))) throw new Error('SQS refused some of the deliveries');
    countMetric(MetricName.LogoutDeliveryQueued, {}, deliveries.length);
    await clearLogoutOutbox(ended.id);
    return true;
  } catch (error) {
    logger.error('logout deliveries left in the outbox for the sweeper', { session: ended.id, error: error as Error });
    return false;
  }
}

export interface OutboxSweep {
  readonly found: number;
  readonly queued: number;
  readonly left: number;
}

/**
 * The outbox's sweep (run every minute by a schedule): every ended session whose deliveries no function queued
 * within the grace period (it died, or SQS failed it) has them queued now. Delivery is at least once: a delivery
 * queued twice is told twice, each time with a fresh `jti`.
 */
export async function sweepLogoutOutbox(): Promise<OutboxSweep> {
  const cutoff = nowSeconds() - LOGOUT_OUTBOX_GRACE_SECONDS;
  const shards = Array.from({ length: LOGOUT_OUTBOX_SHARDS }, (_, shard) => sessionIdsBy('byLogoutOutbox', logoutOutboxKey(shard)));
  const ids = (await Promise.all(shards)).flat();
  let queued = 0;
  let left = 0;
  for (const id of ids) {
    const ended = await findEndedSession(id);
    if (!ended || ended.endedAt > cutoff) continue;
    if (await queueOutbox(ended)) queued += 1;
    else left += 1;
  }
  return { found: ids.length, queued, left };
}
