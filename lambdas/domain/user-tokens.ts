import type { SessionRecord } from '../repositories/sessions';
import type { AppConfig } from '../shared/config';
import { isWellFormedSecret } from '../shared/crypto';
import { HttpError, InvalidGrant, InvalidScope, InvalidTarget } from '../shared/errors';
import { MetricName, type UserTokenRefusalReason } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import type { SigningKey } from '../shared/signing-keys';
import { nowSeconds } from '../shared/time';
import { type AccessToken, mintAccessToken } from './access-tokens';
import { parseScopes } from './application-rules';
import { recordTokenAudience } from './logout-audiences';
import { publicSessionId } from './public-session-id';
import { liveSession } from './sessions';
import { ACCESS_TOKEN_TYPE, USER_TOKEN_CLIENT_ID } from './token-types';

type UserTokenConfig = Pick<
  AppConfig,
  'publicUrl' | 'accessTokenAudience' | 'apiAudiences' | 'backchannelLogoutUris' | 'userTokenTtlSeconds'
>;

export { publicSessionId };

/** What a client asks for: an API (`audience` or RFC 8707 `resource`) and the scopes, each optional. */
export interface UserTokenRequest {
  readonly audience?: string;
  readonly resource?: string;
  readonly scope?: string;
}

export interface UserTokenTarget {
  readonly audience: string;
  readonly scopes: readonly string[];
}

export interface UserToken extends AccessToken {
  readonly scope: string;
}

/**
 * A user token for a live session: the API asked for must be listed in API_AUDIENCES (ACCESS_TOKEN_AUDIENCE when
 * none is named and it is listed) and the scopes must be among those it accepts (default: all of them). Every
 * refusal is counted by its error code; an unknown, ended or expired session is `invalid_grant`.
 */
export async function userTokenFor(
  sessionToken: string | undefined,
  request: UserTokenRequest,
  signingKey: () => Promise<SigningKey>,
  config: UserTokenConfig,
): Promise<UserToken> {
  try {
    const target = userTokenTarget(request, config);
    const session = isWellFormedSecret(sessionToken) ? await liveSession(sessionToken) : undefined;
    if (!session) throw new InvalidGrant('the session is unknown, ended or expired: sign in again');
    if (!(await recordTokenAudience(session, target.audience, config))) throw new InvalidGrant('the session has ended: sign in again');
    return await mintUserToken(session, target, await signingKey(), config);
  } catch (error) {
    if (error instanceof HttpError && error.status < 500) countUserTokenRefusal(error.code as UserTokenRefusalReason);
    throw error;
  }
}

/** The RFC 8693 §2.2.1 answer. */
export function userTokenResponse(granted: UserToken) {
  return {
    access_token: granted.token,
    issued_token_type: ACCESS_TOKEN_TYPE,
    token_type: 'Bearer',
    expires_in: granted.expiresIn,
    scope: granted.scope,
  };
}

export function countUserTokenRefusal(reason: UserTokenRefusalReason): void {
  countMetric(MetricName.UserTokenRefused, { reason });
}

export function userTokenTarget(
  request: UserTokenRequest,
  config: Pick<AppConfig, 'accessTokenAudience' | 'apiAudiences'>,
): UserTokenTarget {
  if (request.audience !== undefined && request.resource !== undefined && request.audience !== request.resource) {
    throw new InvalidTarget('audience and resource name different APIs: name one');
  }
  const listed = Object.keys(config.apiAudiences);
  if (listed.length === 0) throw new InvalidTarget('guichet mints user tokens for no API: API_AUDIENCES lists none');
  const audience =
    request.audience ?? request.resource ?? (listed.includes(config.accessTokenAudience) ? config.accessTokenAudience : undefined);
  if (audience === undefined) throw new InvalidTarget(`name the API with audience: one of ${listed.join(', ')}`);
  const accepted = config.apiAudiences[audience];
  if (!accepted) throw new InvalidTarget('guichet mints no user tokens for that audience');

  let scopes: string[];
  try {
    scopes = request.scope === undefined ? [...accepted] : parseScopes(request.scope, / +/);
  } catch {
    throw new InvalidScope('the scope parameter is malformed');
  }
  if (scopes.length === 0) throw new InvalidScope('the scope parameter names no scope');
  const refused = scopes.filter((scope) => !accepted.includes(scope));
  if (refused.length > 0) throw new InvalidScope(`not accepted by ${audience}: ${refused.join(' ')}`);
  return { audience, scopes };
}

async function mintUserToken(
  session: SessionRecord,
  target: UserTokenTarget,
  signingKey: SigningKey,
  config: UserTokenConfig,
): Promise<UserToken> {
  const scope = target.scopes.join(' ');
  // The session's expiry bounds the token: a session never lends more time than it has.
  const ttlSeconds = Math.min(config.userTokenTtlSeconds, session.expiresAt - nowSeconds());
  const token = await mintAccessToken(
    {
      sub: session.sub,
      clientId: USER_TOKEN_CLIENT_ID,
      scope,
      email: session.email,
      sid: publicSessionId(session.id),
      audience: target.audience,
      ttlSeconds,
    },
    signingKey,
    config,
  );
  countMetric(MetricName.UserTokenIssued, [{ audience: target.audience }, { flow: session.flow }]);
  logger.info('user token issued', { session: session.id, audience: target.audience, flow: session.flow, expiresIn: ttlSeconds });
  return { ...token, scope };
}
