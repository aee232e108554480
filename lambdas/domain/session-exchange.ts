import { takeExchangeCode } from '../repositories/exchange-codes';
import type { SessionRecord } from '../repositories/sessions';
import type { AppConfig } from '../shared/config';
import { isWellFormedSecret, s256CodeChallenge, safeEqual, sha256 } from '../shared/crypto';
import { InvalidGrant, InvalidRequest } from '../shared/errors';
import { type ExchangeRejectionReason, MetricName } from '../shared/metric-names';
import { countMetric, logger } from '../shared/observability';
import { nowSeconds } from '../shared/time';
import { limitingFailures, rateLimiter } from './rate-limit';
import { openSealedSession } from './sessions';

/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export interface ExchangedSession {
  readonly token: string;
  readonly session: SessionRecord;
}

/**
 * Swaps a native app's exchange code for its session token. The code is consumed by one conditional
 * delete before anything is checked, so it is single-use under any concurrency and a wrong verifier burns
 * it. Every failure costs the client address a unit of its failure budget, taken before the attempt.
 */
export function sessionExchange(config: Pick<AppConfig, 'sessionExchangeFailureLimit' | 'sessionExchangeFailureWindowSeconds'>) {
  const failures = rateLimiter({
    purpose: 'session-exchange-failures',
    limit: config.sessionExchangeFailureLimit,
    windowSeconds: config.sessionExchangeFailureWindowSeconds,
    refusal: 'too many failed exchanges from this address; retry later',
  });

  const reject = (reason: ExchangeRejectionReason, error: Error): never => {
    countMetric(MetricName.ExchangeCodeRejected, { reason });
    logger.info('exchange code rejected', { reason });
    throw error;
  };

  return async (body: Readonly<Record<string, unknown>>, clientAddress: string): Promise<ExchangedSession> =>
    limitingFailures(failures, clientAddress, async () => {
      const { code, code_verifier: verifier } = body;
      if (typeof code !== 'string' || typeof verifier !== 'string' || !CODE_VERIFIER.test(verifier)) {
        return reject('malformed', new InvalidRequest('code and a valid code_verifier are required'));
      }
      const invalid = new InvalidGrant('the code is unknown, expired or already used, or the verifier is wrong');
      const record = isWellFormedSecret(code) ? await takeExchangeCode(sha256(code)) : undefined;
      if (!record) return reject('unknown_or_used', invalid);
      if (record.expiresAt <= nowSeconds()) return reject('expired', invalid);
      if (!safeEqual(s256CodeChallenge(verifier), record.codeChallenge)) return reject('wrong_verifier', invalid);

      const opened = await openSealedSession(record.sessionId, record.sealedSessionToken, code);
      if (!opened) return reject('session_ended', invalid);
      countMetric(MetricName.ExchangeCodeRedeemed);
      logger.info('exchange code redeemed', { session: opened.record.id });
      return { token: opened.token, session: opened.record };
    });
}
