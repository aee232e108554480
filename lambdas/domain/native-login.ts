import { saveExchangeCode } from '../repositories/exchange-codes';
import type { LoginFlowRecord } from '../repositories/login-flows';
import { saveNativeContinuation, takeNativeContinuation } from '../repositories/native-continuations';
import type { AppConfig } from '../shared/config';
import { isWellFormedSecret, randomSecret, safeEqual, sha256 } from '../shared/crypto';
import { InvalidRequest, ServerError } from '../shared/errors';
import { MetricName, type NativeContinuationRejectionReason } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { seal } from '../shared/seal';
import { nowSeconds } from '../shared/time';
import type { NativeLoginParameters } from './native-login-parameters';
import { limitingFailures, rateLimiter } from './rate-limit';
import { type NewSession, openSealedSession } from './sessions';

/**
 * A native login ends in two steps (RFC 8252 §8.6). Any app can claim a custom scheme and start a login with its
 * own PKCE challenge, and single sign-on at the IdP asks nothing: so the callback only opens the session and
 * shows the person which scheme asks for whom. The exchange code exists only once they click Continue, in the
 * browser that did the login: the form carries a single-use continuation, a cookie the secret that binds it to
 * that browser. The session token waits sealed under a key derived from the continuation, and then under one
 * derived from the code: never in a URL, never in clear at rest.
 */
export const NATIVE_CONTINUE_PATH = '/auth/native/continue';
/** Time the person has to read the confirmation page and click. */
export const NATIVE_CONTINUATION_TTL_SECONDS = 300;

/** What the callback's confirmation page shows and posts. */
export interface NativeConfirmation {
  /** The scheme the app claimed, as in `returnTo` (lowercase). */
  readonly scheme: string;
  readonly user: { readonly sub: string; readonly email?: string; readonly name?: string };
  /** The form field `continuation`: single use, stored only as a hash. */
  readonly continuation: string;
  /** The secret that binds the continuation to this browser, for it to keep for NATIVE_CONTINUATION_TTL_SECONDS. */
  readonly binding: string;
}

type ContinuationConfig = Pick<AppConfig, 'exchangeCodeTtlSeconds' | 'sessionExchangeFailureLimit' | 'sessionExchangeFailureWindowSeconds'>;

/** At the callback: the session is open, the app gets nothing yet; the page asks the person. */
export async function offerNativeContinuation(session: NewSession, flow: LoginFlowRecord): Promise<NativeConfirmation> {
  if (flow.appCodeChallenge === undefined) throw new ServerError('native login flow without a code challenge');
  const continuation = randomSecret();
  const binding = randomSecret();
  await saveNativeContinuation({
    id: sha256(continuation),
    browserBinding: sha256(binding),
    sessionId: session.record.id,
    sealedSessionToken: seal(session.token, continuation),
    returnTo: flow.returnTo,
    appCodeChallenge: flow.appCodeChallenge,
    appState: flow.appState,
    expiresAt: nowSeconds() + NATIVE_CONTINUATION_TTL_SECONDS,
  });
  logger.info('native login awaits confirmation', { session: session.record.id });
  const { sub, email, name } = session.record;
  return {
    scheme: new URL(flow.returnTo).protocol.slice(0, -1),
    user: { sub, email, name },
    continuation,
    binding,
  };
}

export interface ContinuedNativeLogin {
  /** `<returnTo>?code=<exchange code>[&state=<app state>]` */
  readonly location: string;
}

/**
 * POST /auth/native/continue: consumes the continuation by one conditional delete before anything is checked, so
 * it is single use under any concurrency and an attempt from another browser burns it. Expiry, the browser's
 * binding and the session are checked next; only then is the exchange code minted. Every refusal costs the
 * client address a unit of its failure budget, taken before the attempt.
 */
export function nativeLoginContinuation(config: ContinuationConfig) {
  const failures = rateLimiter({
    purpose: 'native-continue-failures',
    limit: config.sessionExchangeFailureLimit,
    windowSeconds: config.sessionExchangeFailureWindowSeconds,
    refusal: 'too many failed sign-in confirmations from this address; retry later',
  });
  const reject = (reason: NativeContinuationRejectionReason): never => {
    countMetric(MetricName.NativeContinuationRejected, { reason });
    logger.info('native continuation rejected', { reason });
    throw new InvalidRequest(
      reason === 'malformed'
        ? 'continuation is missing or malformed'
        : 'this sign-in confirmation is unknown, expired, already used or from another browser: start again from the app',
    );
  };

  return async (continuation: string | undefined, binding: string | undefined, clientAddress: string): Promise<ContinuedNativeLogin> =>
    limitingFailures(failures, clientAddress, async () => {
      if (!isWellFormedSecret(continuation)) return reject('malformed');
      const record = await takeNativeContinuation(sha256(continuation));
      if (!record) return reject('unknown_or_used');
      if (record.expiresAt <= nowSeconds()) return reject('expired');
      if (binding === undefined || !safeEqual(sha256(binding), record.browserBinding)) return reject('foreign_browser');

      const session = await openSealedSession(record.sessionId, record.sealedSessionToken, continuation);
      if (!session) return reject('session_ended');
      return { location: await exchangeCodeRedirect(session, record, config) };
    });
}

/**
 * Hands a session over to the native app: a one-time exchange code, bound to the session and to the app's PKCE
 * challenge, goes back to the app's custom scheme. The token is stored sealed under a key derived from the code,
 * so the table holds nothing usable alone.
 */
export async function exchangeCodeRedirect(
  session: NewSession,
  app: NativeLoginParameters & { readonly returnTo: string },
  config: Pick<AppConfig, 'exchangeCodeTtlSeconds'>,
): Promise<string> {
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
