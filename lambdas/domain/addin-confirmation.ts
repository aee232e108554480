import { deleteAddinSession, markCancelled, markConfirmed } from '../repositories/addin-sessions';
import type { SessionRecord } from '../repositories/sessions';
import { consumeTransitToken, findTransitToken, type TransitTokenRecord } from '../repositories/transit-tokens';
import { randomSecret, sha256 } from '../shared/crypto';
import { InvalidRequest, Unauthenticated } from '../shared/errors';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { seal } from '../shared/seal';
import type { SigningKey } from '../shared/signing-keys';
import { nowSeconds } from '../shared/time';
import { type AddinTokenConfig, mintAddinToken } from './addin-tokens';
import { recordTokenAudience } from './logout-audiences';

/**
 * The login dialog's side of an add-in login: what the confirmation page shows (the add-in's name, as `init`
 * validated and stored it with the transit token, never a name the link carries), then the person's answer.
 */
export interface AddinLoginDescription {
  readonly addinName: string | null;
  readonly expiresIn: number;
}

const UNKNOWN = 'unknown or expired transit token';

export async function describeAddinLogin(transitToken: string): Promise<AddinLoginDescription> {
  const record = await findTransitToken(sha256(transitToken));
  const now = nowSeconds();
  if (record?.state !== 'pending' || record.expiresAt <= now) throw new InvalidRequest(UNKNOWN);
  return { addinName: record.addinName ?? null, expiresIn: record.expiresAt - now };
}

/** What the confirmation page hands to the add-in's window, and only to it. */
export interface AddinCompletion {
  /** One-time, stored only as a hash: the poll releases the token only against it. */
  readonly completion: string;
  /** The origin of the add-in's page that opened the login: `postMessage`'s and `messageParent`'s target. */
  readonly addinOrigin: string;
}

/**
 * The confirmed dialog redeems the transit token for the logged-in user: pending → consumed, then the add-in's
 * token is minted and the add-in session moves pending → confirmed, holding the token sealed under a new
 * completion code. Whoever started the login gets nothing from its polls without that code, which only the
 * add-in's own window receives: a person lured to the link confirms for nobody.
 */
export async function completeAddinSession(
  transitToken: string,
  webSession: SessionRecord,
  signingKey: () => Promise<SigningKey>,
  config: AddinTokenConfig,
): Promise<AddinCompletion> {
  // The key first: if it cannot be read (503), the transit token is still there for the person's retry.
  const key = await signingKey();
  // Before the transit token is spent: a session ended meanwhile leaves it for a login in a new session.
  if (!(await recordTokenAudience(webSession, config.accessTokenAudience, config))) throw new Unauthenticated('log in first');
  const consumed = await consume(transitToken);
  const minted = await mintAddinToken(webSession, key, config);
  const completion = randomSecret();
  const confirmation = {
    completionHash: sha256(completion),
    sealedToken: seal(minted.token, completion),
    tokenExpiresAt: minted.expiresAt,
    scope: minted.scope,
    webSessionId: webSession.id,
  };
  const confirmed = await markConfirmed(consumed.addinSessionId, consumed.id, confirmation, nowSeconds());
  if (!confirmed) throw new InvalidRequest('the add-in login has expired');
  logger.info('add-in session confirmed', { addinSession: consumed.addinSessionId, session: webSession.id });
  return { completion, addinOrigin: confirmed.origin };
}

/** The person declined in the dialog: the transit token is spent and the add-in's next poll learns it. */
export async function cancelAddinSession(transitToken: string): Promise<void> {
  const consumed = await consume(transitToken);
  if (!(await markCancelled(consumed.addinSessionId, consumed.id))) throw new InvalidRequest('the add-in login has expired');
  countMetric(MetricName.AddinSessionCancelled);
  logger.info('add-in session cancelled', { addinSession: consumed.addinSessionId });
}

/** pending → consumed; a replayed token means it leaked: the add-in session is evicted. */
async function consume(transitToken: string): Promise<TransitTokenRecord> {
  const consumption = await consumeTransitToken(sha256(transitToken), nowSeconds());
  if (consumption.outcome === 'replayed') {
    await deleteAddinSession(consumption.record.addinSessionId);
    countMetric(MetricName.AddinReplayDetected);
    logger.warn('add-in transit token replayed: add-in session evicted', { addinSession: consumption.record.addinSessionId });
    throw new InvalidRequest('the transit token was already used');
  }
  if (consumption.outcome !== 'consumed') throw new InvalidRequest(UNKNOWN);
  return consumption.record;
}
