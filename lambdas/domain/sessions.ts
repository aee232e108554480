import { deleteSession, findSession, saveSession, type SessionRecord } from '../repositories/sessions';
import { appConfig } from '../shared/config';
import { randomSecret, sha256 } from '../shared/crypto';
import type { LoginFlow } from '../shared/metric-names';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { nowSeconds } from '../shared/time';
import { refuseIfLoggedOutMeanwhile } from './idp-logout-races';

/** The person an ID token validated by guichet describes. */
export interface IdentityClaims {
  readonly issuer: string;
  readonly sub: string;
  readonly sid?: string;
  readonly email?: string;
  readonly name?: string;
  /** When the IdP issued the ID token (its `iat`, by the IdP's clock). */
  readonly issuedAt: number;
}

export interface NewSession {
  readonly token: string;
  readonly record: SessionRecord;
}

/** Index key that keeps the values of two IdPs apart even when their `sub` or `sid` are equal. */
export function issuerScopedKey(issuer: string, value: string): string {
  return JSON.stringify([issuer, value]);
}

export async function createSession(identity: IdentityClaims, flow: LoginFlow, idToken?: string): Promise<NewSession> {
  const token = randomSecret();
  const now = nowSeconds();
  const record: SessionRecord = {
    id: sha256(token),
    flow,
    issuer: identity.issuer,
    sub: identity.sub,
    subjectKey: issuerScopedKey(identity.issuer, identity.sub),
    idpSessionKey: identity.sid === undefined ? undefined : issuerScopedKey(identity.issuer, identity.sid),
    sid: identity.sid,
    email: identity.email,
    name: identity.name,
    idToken,
    createdAt: now,
    expiresAt: now + appConfig().sessionTtlSeconds,
  };
  await saveSession(record);
  await refuseIfLoggedOutMeanwhile(record, identity.issuedAt, appConfig().sessionTtlSeconds);
  countMetric(MetricName.SessionCreated);
  logger.info('session created', { session: record.id, flow, sub: identity.sub });
  return { token, record };
}

/** The session a token opens, or undefined when unknown or expired (the row may outlive its expiry). */
export async function liveSession(token: string): Promise<SessionRecord | undefined> {
  const record = await findSession(sha256(token));
  if (!record || record.expiresAt <= nowSeconds()) return undefined;
  return record;
}

/** Ends the session a token opens; returns it if it was live. */
export async function endSession(token: string): Promise<SessionRecord | undefined> {
  const record = await deleteSession(sha256(token));
  if (!record) return undefined;
  countMetric(MetricName.SessionEnded);
  logger.info('session ended', { session: record.id, reason: 'logout' });
  return record.expiresAt > nowSeconds() ? record : undefined;
}
