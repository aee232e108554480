import { addinNameFrom } from '../../domain/addin-name';
import { addonsRateLimiter, openAddonSession } from '../../domain/addon-open';
import { appConfig, browserOrigins } from '../../shared/config';
import { jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { knownOriginsOnly } from '../../shared/middleware/known-origins';
import { cachedSecret } from '../../shared/secrets';

const config = appConfig();
const limiter = addonsRateLimiter(config);
const csrfKey = cachedSecret('addonsCsrfKey');

/** POST /addons/sessions/init [{"addin_name"}] — an Office add-in opens a polling login; each costs its address one unit. */
export const handler = httpHandler(
  'optional-json',
  async (event) => {
    const addinName = addinNameFrom(event.jsonBody.addin_name);
    await limiter.take(event.requestContext.http.sourceIp);
    const opened = await openAddonSession(config, await csrfKey(), addinName);
    const response = jsonResponse(201, {
      transit_token: opened.transitToken,
      csrf_token: opened.csrfToken,
      expires_in: opened.expiresIn,
      interval: opened.interval,
    });
    return { ...response, cookies: [opened.cookie] };
  },
  [knownOriginsOnly(browserOrigins(config))],
);
