import { saveExchangeCode } from '../repositories/exchange-codes';
import type { AppConfig } from '../shared/config';
import { randomSecret, sha256 } from '../shared/crypto';
import { InvalidRequest, ServerError } from '../shared/errors';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { seal } from '../shared/seal';
import { nowSeconds } from '../shared/time';
import type { NewSession } from './sessions';

/** An S256 challenge is the base64url SHA-256 of the verifier: exactly 43 characters (RFC 7636 §4.2). */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;
const MAX_APP_STATE_LENGTH = 512;

export interface NativeLoginParameters {
  readonly appCodeChallenge: string;
  readonly appState?: string;
}

/**
 * The PKCE parameters a native app must send with its login. `plain` is refused: with it, whoever
 * intercepts the redirect to the custom scheme also has the verifier.
 */
export function nativeLoginParameters(query: {
  readonly codeChallenge?: string;
  readonly codeChallengeMethod?: string;
  readonly state?: string;
}): NativeLoginParameters {
  if (query.codeChallengeMethod !== 'S256') {
    throw new InvalidRequest('a native login requires code_challenge_method=S256');
  }
  if (!query.codeChallenge || !S256_CHALLENGE.test(query.codeChallenge)) {
    throw new InvalidRequest('a native login requires an S256 code_challenge');
  }
  if (query.state !== undefined) {
    // eslint-disable-next-line no-control-regex
    if (query.state.length > MAX_APP_STATE_LENGTH || /[\u0000-\u001f\u007f]/.test(query.state)) {
      throw new InvalidRequest('state is too long or contains control characters');
    }
  }
  return { appCodeChallenge: query.codeChallenge, appState: query.state };
}

/**
 * Hands a new session over to the native app: a one-time exchange code, bound to the session and to the
 * app's PKCE challenge, goes back to the app's custom scheme; the session token itself never enters a URL.
 * The token is stored sealed under a key derived from the code, so the table holds nothing usable alone.
 */
export async function exchangeCodeRedirect(
  session: NewSession,
  app: Partial<NativeLoginParameters> & { readonly returnTo: string },
  config: Pick<AppConfig, 'exchangeCodeTtlSeconds'>,
): Promise<string> {
  if (app.appCodeChallenge === undefined) throw new ServerError('native login flow without a code challenge');
  const code = randomSecret();
  await saveExchangeCode({
    id: sha256(code),
    sessionId: session.record.id,
    sealedSessionToken: seal(session.token, code),
    codeChallenge: app.appCodeChallenge,
    expiresAt: nowSeconds() + config.exchangeCodeTtlSeconds,
  });
  countMetric(MetricName.ExchangeCodeIssued);
  logger.info('exchange code issued', { session: session.record.id });
  const location = new URL(app.returnTo);
  location.searchParams.set('code', code);
  if (app.appState !== undefined) location.searchParams.set('state', app.appState);
  return location.href;
}
