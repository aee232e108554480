import { deleteAddonSession, markAuthenticated, markCancelled } from '../repositories/addon-sessions';
import type { SessionRecord } from '../repositories/sessions';
import { consumeTransitToken, findTransitToken, type TransitTokenRecord } from '../repositories/transit-tokens';
import { sha256 } from '../shared/crypto';
import { InvalidRequest } from '../shared/errors';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { nowSeconds } from '../shared/time';

/**
 * The login dialog's side of an add-in login: what the confirmation page shows (the add-in's name, as `init`
 * validated and stored it with the transit token, never a name the link carries), then the person's answer.
 */
export interface AddonLoginDescription {
  readonly addinName: string | null;
  readonly expiresIn: number;
}

const UNKNOWN = 'unknown or expired transit token';

export async function describeAddonLogin(transitToken: string): Promise<AddonLoginDescription> {
  const record = await findTransitToken(sha256(transitToken));
  const now = nowSeconds();
  if (!record || record.state !== 'pending' || record.expiresAt <= now) throw new InvalidRequest(UNKNOWN);
  return { addinName: record.addinName ?? null, expiresIn: record.expiresAt - now };
}

/**
 * The confirmed dialog redeems the transit token for the logged-in user: pending → consumed, then the
 * add-in session pending → authenticated.
 */
export async function completeAddonSession(transitToken: string, webSession: SessionRecord): Promise<void> {
  const token = await consume(transitToken);
  const identity = { sub: webSession.sub, email: webSession.email, name: webSession.name, webSessionId: webSession.id };
  if (!(await markAuthenticated(token.addonSessionId, token.id, identity, nowSeconds()))) {
    throw new InvalidRequest('the add-in login has expired');
  }
  logger.info('add-in session authenticated', { addonSession: token.addonSessionId, session: webSession.id });
}

/** The person declined in the dialog: the transit token is spent and the add-in's next poll learns it. */
export async function cancelAddonSession(transitToken: string): Promise<void> {
  const token = await consume(transitToken);
  if (!(await markCancelled(token.addonSessionId, token.id))) throw new InvalidRequest('the add-in login has expired');
  countMetric(MetricName.AddonSessionCancelled);
  logger.info('add-in session cancelled in the dialog', { addonSession: token.addonSessionId });
}

/** pending → consumed; a replayed token means it leaked: the add-in session is evicted. */
async function consume(transitToken: string): Promise<TransitTokenRecord> {
  const consumption = await consumeTransitToken(sha256(transitToken), nowSeconds());
  if (consumption.outcome === 'replayed') {
    await deleteAddonSession(consumption.record.addonSessionId);
    countMetric(MetricName.AddonReplayDetected);
    logger.warn('add-in transit token replayed: add-in session evicted', { addonSession: consumption.record.addonSessionId });
    throw new InvalidRequest('the transit token was already used');
  }
  if (consumption.outcome !== 'consumed') throw new InvalidRequest(UNKNOWN);
  return consumption.record;
}
