import { nativeLoginParameters } from '../../domain/native-login-parameters';
import { rateLimiter } from '../../domain/rate-limit';
import { loginReturnTo } from '../../domain/return-to';
import { sharedIdpDocuments } from '../../domain/shared-idp-documents';
import { type LoginRequest, startLogin } from '../../domain/web-login';
import { appConfig } from '../../shared/config';
import { LOGIN_STATE_COOKIE, setCookie } from '../../shared/cookies';
import { InvalidRequest } from '../../shared/errors';
import { type HttpEvent, header, queryParameter, redirectResponse } from '../../shared/http';
import { prepareAtInit } from '../../shared/init';
import { MetricName } from '../../shared/metric-names';
import { httpHandler } from '../../shared/middleware/http-handler';
import { countMetric } from '../../shared/observability';
import { ADDIN_CALLBACK_PATH, keepingOpener } from '../addin-paths';

const config = appConfig();
// Started at init, so that the first request finds the IdP's documents already read from the shared cache.
prepareAtInit(() => sharedIdpDocuments().current());
const starts = rateLimiter({
  purpose: 'logins',
  limit: config.loginRateLimit,
  windowSeconds: config.loginRateLimitWindowSeconds,
  refusal: 'too many logins started from this address; retry later',
});

/**
 * GET /auth/login?returnTo=URL — starts an authorization code + PKCE login at the IdP. A returnTo on an
 * allowed custom scheme makes it a native app's login, which must carry the app's own S256 challenge. Each
 * login stores a flow, so each costs its address a unit of a generous budget; a browser's request that is not a
 * page navigation (an image, a script, a fetch from any site) starts nothing and costs nothing.
 */
export const handler = httpHandler('none', async (event) => {
  const destination = header(event, 'sec-fetch-dest');
  if (destination !== undefined && destination !== 'document') throw new InvalidRequest('a login starts with a navigation of the browser');
  const request = loginRequest(event);
  await starts.take(event.requestContext.http.sourceIp);
  const login = await startLogin(request, config);
  countMetric(MetricName.LoginStarted, { flow: login.flow });
  const stateCookie = setCookie(LOGIN_STATE_COOKIE, login.state, login.stateMaxAgeSeconds, config.publicUrl);
  const response = redirectResponse(login.authorizationUrl, [stateCookie]);
  return login.flow === 'addin' ? keepingOpener(response) : response;
});

function loginRequest(event: HttpEvent): LoginRequest {
  const returnTo = loginReturnTo(queryParameter(event, 'returnTo'), config);
  if (returnTo.kind === 'web') {
    return { flow: returnTo.location === ADDIN_CALLBACK_PATH ? 'addin' : 'web', returnTo: returnTo.location };
  }
  const app = nativeLoginParameters({
    codeChallenge: queryParameter(event, 'code_challenge'),
    codeChallengeMethod: queryParameter(event, 'code_challenge_method'),
    state: queryParameter(event, 'state'),
  });
  return { flow: 'native', returnTo: returnTo.location, ...app };
}
