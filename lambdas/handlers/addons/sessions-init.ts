import { addinNameFrom } from '../../domain/addin-name';
import { addonsRateLimiter, openAddonSession } from '../../domain/addon-login';
import { appConfig } from '../../shared/config';
import { jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { cachedSecret } from '../../shared/secrets';

const config = appConfig();
const limiter = addonsRateLimiter(config);
const csrfKey = cachedSecret('addonsCsrfKey');

/** POST /addons/sessions/init [{"addin_name"}] — an Office add-in opens a polling login. */
export const handler = httpHandler('optional-json', async (event) => {
  const clientAddress = event.requestContext.http.sourceIp;
  await limiter.check(clientAddress);
  const addinName = addinNameFrom(event.jsonBody.addin_name);
  await limiter.spend(clientAddress);
  const opened = await openAddonSession(config, await csrfKey(), addinName);
  const response = jsonResponse(201, {
    transit_token: opened.transitToken,
    csrf_token: opened.csrfToken,
    expires_in: opened.expiresIn,
    interval: opened.interval,
  });
  return { ...response, cookies: [opened.cookie] };
});
