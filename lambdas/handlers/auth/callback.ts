import { sessionCookie } from '../../domain/session-credentials';
import { completeLogin, LOGIN_STATE_COOKIE } from '../../domain/web-login';
import { appConfig } from '../../shared/config';
import { readCookie } from '../../shared/cookies';
import { redirectResponse } from '../../shared/http';
import { MetricName, type LoginFlow } from '../../shared/metric-names';
import { httpHandler } from '../../shared/middleware/http-handler';
import { countMetric, logger } from '../../shared/observability';

const config = appConfig();

/** GET /auth/callback?code&state — the IdP sends the browser back here; opens the guichet session. */
export const handler = httpHandler('none', async (event) => {
  let flow: LoginFlow = 'web';
  try {
    const login = await completeLogin(
      { rawQueryString: event.rawQueryString ?? '', stateCookie: readCookie(event, LOGIN_STATE_COOKIE) },
      config,
      (known) => (flow = known),
    );
    countMetric(MetricName.LoginSucceeded, { flow });
    logger.info('login succeeded', { flow, session: login.session.record.id });
    return redirectResponse(login.flow.returnTo, [
      sessionCookie(login.session.token, config),
      login.clearStateCookie,
    ]);
  } catch (error) {
    countMetric(MetricName.LoginFailed, { flow });
    throw error;
  }
});
