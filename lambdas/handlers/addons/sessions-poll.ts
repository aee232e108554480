import { isValidAddonCsrfToken } from '../../domain/addon-csrf';
import { ADDONS_SESSION_COOKIE, addonsRateLimiter, pollAddonSession } from '../../domain/addon-login';
import { limitingFailures } from '../../domain/rate-limit';
import { isWellFormedSecret } from '../../domain/session-credentials';
import { appConfig } from '../../shared/config';
import { readCookie } from '../../shared/cookies';
import { InvalidRequest, NotFound, Unauthenticated } from '../../shared/errors';
import { header, jsonResponse, queryParameter } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { cachedSecret } from '../../shared/secrets';
import { signingKeyStore } from '../../shared/signing-keys';

const config = appConfig();
const limiter = addonsRateLimiter(config);
const csrfKey = cachedSecret('addonsCsrfKey');
const keys = signingKeyStore(config.signingKeysCacheSeconds);
const MAX_WAIT_SECONDS = 20;
/** Kept between the end of a long poll and the Lambda's own deadline. */
const SAFETY_MARGIN_MILLIS = 2000;

/** POST /addons/sessions/poll[?wait=N] — cookie + X-CSRFToken; the token is delivered exactly once. */
export const handler = httpHandler('none', async (event, context) => {
  return limitingFailures(limiter, event.requestContext.http.sourceIp, async () => {
    const sessionId = readCookie(event, ADDONS_SESSION_COOKIE);
    if (sessionId === undefined) throw new Unauthenticated('the add-in session cookie is missing');
    const wait = waitSeconds(queryParameter(event, 'wait'));
    if (!isValidAddonCsrfToken(header(event, 'x-csrftoken'), sessionId, await csrfKey())) {
      throw new InvalidRequest('the CSRF token does not match the add-in session');
    }
    if (!isWellFormedSecret(sessionId)) throw new NotFound('unknown add-in session');
    const waitMillis = Math.max(0, Math.min(wait * 1000, context.getRemainingTimeInMillis() - SAFETY_MARGIN_MILLIS));
    const result = await pollAddonSession(sessionId, waitMillis, keys.currentKey, config);
    if (result.state === 'pending') return jsonResponse(202, { state: 'pending' });
    return jsonResponse(200, {
      state: 'authenticated',
      access_token: result.token,
      token_type: 'Bearer',
      expires_in: result.expiresIn,
      scope: result.scope,
    });
  });
});

function waitSeconds(raw: string | undefined): number {
  if (raw === undefined) return 0;
  if (!/^\d{1,2}$/.test(raw) || Number(raw) > MAX_WAIT_SECONDS) {
    throw new InvalidRequest(`wait must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
  }
  return Number(raw);
}
