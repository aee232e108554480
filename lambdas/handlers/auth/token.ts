import { limitingFailures, tokenFailureLimiter } from '../../domain/rate-limit';
import { countUserTokenRefusal, userTokenFor, userTokenResponse } from '../../domain/user-tokens';
import { appConfig, browserOrigins } from '../../shared/config';
import { readCookie, SESSION_COOKIE } from '../../shared/cookies';
import { Unauthenticated } from '../../shared/errors';
import { jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { scriptedRequestsOnly } from '../../shared/middleware/scripted-requests';
import { signingKeyStore } from '../../shared/signing-keys';

const config = appConfig();
const keys = signingKeyStore(config.signingKeysCacheSeconds);
const failures = tokenFailureLimiter(config);

/**
 * POST /auth/token — a web app's session cookie exchanged for a user token for one product API, as the token
 * exchange grant does for a native app's session token. Only scripts of guichet's own or a listed origin get
 * one: a page of another site cannot mint tokens with its visitor's cookie.
 */
export const handler = httpHandler(
  'optional-form-or-json',
  async (event) =>
    limitingFailures(failures, event.requestContext.http.sourceIp, async () => {
      const sessionToken = readCookie(event, SESSION_COOKIE, config.publicUrl);
      if (sessionToken === undefined) {
        countUserTokenRefusal('unauthenticated');
        throw new Unauthenticated('no session cookie: sign in first');
      }
      const request = { audience: event.form.get('audience'), resource: event.form.get('resource'), scope: event.form.get('scope') };
      return jsonResponse(200, userTokenResponse(await userTokenFor(sessionToken, request, keys.currentKey, config)));
    }),
  [scriptedRequestsOnly(browserOrigins(config), () => countUserTokenRefusal('access_denied'))],
);
