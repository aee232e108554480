import { findSession, type SessionRecord, saveSession } from '../repositories/sessions';
import { appConfig } from '../shared/config';
import { randomSecret, sha256 } from '../shared/crypto';
import type { LoginFlow } from '../shared/metric-names';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { unseal } from '../shared/seal';
import { nowSeconds } from '../shared/time';
import { refuseIfLoggedOutMeanwhile } from './idp-logout-races';

/** The person an ID token validated by guichet describes. */
export interface IdentityClaims {
  readonly issuer: string;
  readonly sub: string;
  readonly sid?: string;
  /** Only an address the IdP asserted as verified (`email_verified: true`): nothing guichet mints carries another. */
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
    emailVerified: identity.email === undefined ? undefined : true,
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

/**
 * The live session that a sealed hand-over (a native continuation, an exchange code) opens with its secret, token
 * included; undefined when the session ended or expired meanwhile, or when the seal does not open to its token.
 */
export async function openSealedSession(sessionId: string, sealedToken: string, secret: string): Promise<NewSession | undefined> {
  const record = await findSession(sessionId);
  const token = unseal(sealedToken, secret);
  if (!record || record.expiresAt <= nowSeconds() || token === undefined || sha256(token) !== record.id) return undefined;
  return { token, record };
}
