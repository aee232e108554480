import { nativeLoginContinuation } from '../../domain/native-login';
import { appConfig } from '../../shared/config';
import { clearCookie, NATIVE_BINDING_COOKIE, readCookie } from '../../shared/cookies';
import { redirectResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { knownOriginsOnly } from '../../shared/middleware/known-origins';

const config = appConfig();
const continueLogin = nativeLoginContinuation(config);

/**
 * POST /auth/native/continue (form, `continuation`) — the person clicked Continue on the callback's page: the
 * exchange code is minted now, and the browser sent to the app's scheme with it. Only guichet's own page posts
 * here: a page of another site is refused before it can spend the failure budget of its visitor's address.
 */
export const handler = httpHandler(
  'form',
  async (event) => {
    const binding = readCookie(event, NATIVE_BINDING_COOKIE, config.publicUrl);
    const continued = await continueLogin(event.form.get('continuation'), binding, event.requestContext.http.sourceIp);
    return redirectResponse(continued.location, [clearCookie(NATIVE_BINDING_COOKIE, config.publicUrl)]);
  },
  [knownOriginsOnly([new URL(config.publicUrl).origin])],
);
