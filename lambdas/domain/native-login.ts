import { saveExchangeCode } from '../repositories/exchange-codes';
import type { AppConfig } from '../shared/config';
import { randomSecret, sha256 } from '../shared/crypto';
import { ServerError } from '../shared/errors';
import { MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { seal } from '../shared/seal';
import { nowSeconds } from '../shared/time';
import type { NativeLoginParameters } from './native-login-parameters';
import type { NewSession } from './sessions';

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
