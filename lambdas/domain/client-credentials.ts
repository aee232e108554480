import type { ApplicationRecord } from '../repositories/applications';
import type { AppConfig } from '../shared/config';
import { AccessDenied, InvalidScope } from '../shared/errors';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import type { SigningKey } from '../shared/signing-keys';
import { type AccessToken, mintAccessToken } from './access-tokens';
import { mayActFor, parseScopes } from './application-rules';

export interface GrantedToken extends AccessToken {
  readonly scope: string;
}

/**
 * The client-credentials grant for an authenticated application: the requested scopes must all be
 * granted (default: every granted scope), and `subject` may only name an address in its allowed domains
 * (none allowed: no delegation, even on a record written when that meant any domain).
 */
export async function grantClientCredentials(
  application: ApplicationRecord,
  form: ReadonlyMap<string, string>,
  signingKey: () => Promise<SigningKey>,
  config: Pick<AppConfig, 'publicUrl' | 'accessTokenAudience' | 'accessTokenTtlSeconds'>,
): Promise<GrantedToken> {
  const scopes = requestedScopes(form.get('scope'), application.scopes);
  const subject = form.get('subject');
  if (subject !== undefined && !mayActFor(subject, application.domains)) {
    countMetric(MetricName.DelegationRefused);
    logger.info('delegation refused', { application: application.id });
    throw new AccessDenied(
      application.domains.length === 0 ? 'this application may not act for users' : 'this application may not act for that user',
    );
  }
  const email = subject?.toLowerCase();
  // A product API tells a token the application minted for a user from the user's own by its actor.
  const actor = email === undefined ? undefined : application.id;
  const token = await mintAccessToken(
    {
      sub: email ?? application.id,
      clientId: application.id,
      scope: scopes.join(' '),
      email,
      actor,
      ttlSeconds: config.accessTokenTtlSeconds,
    },
    await signingKey(),
    config,
  );
  countMetric(MetricName.TokenIssued, { application: application.id });
  logger.info('access token issued', { application: application.id, delegated: email !== undefined });
  return { ...token, scope: scopes.join(' ') };
}

function requestedScopes(requested: string | undefined, granted: readonly string[]): string[] {
  let scopes: string[];
  try {
    scopes = requested === undefined ? [...granted] : parseScopes(requested, / +/);
  } catch {
    throw new InvalidScope('the scope parameter is malformed');
  }
  if (scopes.length === 0) throw new InvalidScope('no scope is granted to this application');
  const missing = scopes.filter((scope) => !granted.includes(scope));
  if (missing.length > 0) throw new InvalidScope(`scope not granted: ${missing.join(' ')}`);
  return scopes;
}
