import { addinNameFrom } from '../../domain/addin-name';
import { addinRateLimiter, openAddinSession } from '../../domain/addin-open';
import { appConfig } from '../../shared/config';
import { ADDIN_SESSION_COOKIE, setCookie } from '../../shared/cookies';
import { header, jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { listedOriginOnly } from '../../shared/middleware/known-origins';
import { cachedSecret } from '../../shared/secrets';

const config = appConfig();
const limiter = addinRateLimiter(config);
const csrfKey = cachedSecret('addinCsrfKey');

/**
 * POST /addons/sessions/init [{"addin_name"}] — an Office add-in's page, on an origin listed in CORS_ORIGINS, opens a
 * polling login bound to that origin; each costs its address one unit.
 */
export const handler = httpHandler(
  'optional-json',
  async (event) => {
    const addinName = addinNameFrom(event.jsonBody.addin_name);
    await limiter.take(event.requestContext.http.sourceIp);
    // The guard let only a listed origin through.
    const opened = await openAddinSession(config, await csrfKey(), header(event, 'origin')!, addinName);
    const response = jsonResponse(201, {
      transit_token: opened.transitToken,
      csrf_token: opened.csrfToken,
      expires_in: opened.expiresIn,
      interval: opened.interval,
    });
    return { ...response, cookies: [setCookie(ADDIN_SESSION_COOKIE, opened.sessionId, opened.expiresIn, config.publicUrl)] };
  },
  [listedOriginOnly(config.corsOrigins)],
);
