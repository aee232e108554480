import { addonsRateLimiter, completeAddonSession } from '../../domain/addon-login';
import { limitingFailures } from '../../domain/rate-limit';
import { isWellFormedSecret, presentedSessionToken } from '../../domain/session-credentials';
import { liveSession } from '../../domain/sessions';
import { appConfig } from '../../shared/config';
import { InvalidRequest, Unauthenticated } from '../../shared/errors';
import { jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';

const limiter = addonsRateLimiter(appConfig());

/**
 * POST /addons/sessions/exchange {"transit_token"} — the confirmed login dialog hands the logged-in user
 * to the add-in session. Requires a web session; its SameSite=Lax cookie is not sent cross-site.
 */
export const handler = httpHandler('json', async (event) => {
  return limitingFailures(limiter, event.requestContext.http.sourceIp, async () => {
    const token = presentedSessionToken(event);
    const session = token === undefined ? undefined : await liveSession(token);
    if (!session) throw new Unauthenticated('log in first');
    const transitToken = event.jsonBody.transit_token;
    if (typeof transitToken !== 'string' || !isWellFormedSecret(transitToken)) {
      throw new InvalidRequest('transit_token is missing or malformed');
    }
    await completeAddonSession(transitToken, session);
    return jsonResponse(200, { status: 'ok' });
  });
});
