import { isValidAddinCsrfToken } from '../../domain/addin-csrf';
import { addinPollLimiter, MAX_WAIT_SECONDS, pollAddinSession } from '../../domain/addin-poll';
import { ADDIN_COMPLETION_HEADER, ADDIN_CSRF_HEADER } from '../../routes';
import { appConfig, browserOrigins } from '../../shared/config';
import { ADDIN_SESSION_COOKIE, readCookie } from '../../shared/cookies';
import { isWellFormedSecret } from '../../shared/crypto';
import { InvalidRequest, NotFound, Unauthenticated } from '../../shared/errors';
import { header, jsonResponse, queryParameter } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { knownOriginsOnly } from '../../shared/middleware/known-origins';
import { cachedSecret } from '../../shared/secrets';

const config = appConfig();
const polls = addinPollLimiter(config);
const csrfKey = cachedSecret('addinCsrfKey');
/** Kept between the end of a long poll and the Lambda's own deadline. */
const SAFETY_MARGIN_SECONDS = 2;

/**
 * POST /addons/sessions/poll[?wait=N] — cookie + X-CSRFToken, and X-Guichet-Completion once the add-in's window has
 * the completion code; the token is delivered exactly once. What no page of another site can send (the cookie and
 * the X-CSRFToken header together) is required before anything is counted; every poll that has them counts against
 * its address's poll budget.
 */
export const handler = httpHandler(
  'none',
  async (event, context) => {
    const sessionId = readCookie(event, ADDIN_SESSION_COOKIE, config.publicUrl);
    if (sessionId === undefined) throw new Unauthenticated('the add-in session cookie is missing');
    const presentedCsrfToken = header(event, ADDIN_CSRF_HEADER);
    if (presentedCsrfToken === undefined) throw new InvalidRequest('the X-CSRFToken header is required');
    const wait = Math.max(
      0,
      Math.min(waitSeconds(queryParameter(event, 'wait')), Math.floor(context.getRemainingTimeInMillis() / 1000) - SAFETY_MARGIN_SECONDS),
    );
    await polls.take(event.requestContext.http.sourceIp);
    if (!isValidAddinCsrfToken(presentedCsrfToken, sessionId, await csrfKey())) {
      throw new InvalidRequest('the CSRF token does not match the add-in session');
    }
    if (!isWellFormedSecret(sessionId)) throw new NotFound('unknown add-in session');
    const completion = header(event, ADDIN_COMPLETION_HEADER);
    const result = await pollAddinSession(sessionId, event.requestContext.http.sourceIp, wait, completion, config);
    if (result.state !== 'authenticated') return jsonResponse(202, { state: result.state });
    return jsonResponse(200, {
      state: 'authenticated',
      access_token: result.token,
      token_type: 'Bearer',
      expires_in: result.expiresIn,
      scope: result.scope,
    });
  },
  [knownOriginsOnly(browserOrigins(config))],
);

function waitSeconds(raw: string | undefined): number {
  if (raw === undefined) return 0;
  if (!/^\d{1,2}$/.test(raw) || Number(raw) > MAX_WAIT_SECONDS) {
    throw new InvalidRequest(`wait must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}`);
  }
  return Number(raw);
}
