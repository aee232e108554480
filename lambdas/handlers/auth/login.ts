import { webReturnTo } from '../../domain/return-to';
import { startLogin } from '../../domain/web-login';
import { appConfig } from '../../shared/config';
import { queryParameter, redirectResponse } from '../../shared/http';
import { MetricName } from '../../shared/metric-names';
import { httpHandler } from '../../shared/middleware/http-handler';
import { countMetric } from '../../shared/observability';

const config = appConfig();

/** GET /auth/login?returnTo=URL — starts an authorization code + PKCE login at the IdP. */
export const handler = httpHandler('none', async (event) => {
  const returnTo = webReturnTo(queryParameter(event, 'returnTo'), config);
  const login = await startLogin({ flow: 'web', returnTo }, config);
  countMetric(MetricName.LoginStarted, { flow: 'web' });
  return redirectResponse(login.authorizationUrl, [login.stateCookie]);
});
