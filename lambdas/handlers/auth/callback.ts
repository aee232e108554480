import { keepingOpener } from '../../domain/addin-paths';
import { NATIVE_CONTINUE_PATH, offerNativeContinuation } from '../../domain/native-login';
import { sessionCookie } from '../../domain/session-credentials';
import { sharedIdpDocuments } from '../../domain/shared-idp-documents';
import { prepareAtInit } from '../../shared/init';
import { completeLogin, LOGIN_STATE_COOKIE, type CompletedLogin } from '../../domain/web-login';
import { appConfig } from '../../shared/config';
import { readCookie } from '../../shared/cookies';
import { redirectResponse, type HttpResult } from '../../shared/http';
import { MetricName, type LoginFlow } from '../../shared/metric-names';
import { httpHandler } from '../../shared/middleware/http-handler';
import { countMetric, logger } from '../../shared/observability';
import { nativeConfirmationPage } from '../../pages/native-confirmation';

const config = appConfig();
// Started at init, so that the first request finds the IdP's documents already read from the shared cache.
prepareAtInit(() => sharedIdpDocuments().current());

/**
 * GET /auth/callback?code&state — the IdP sends the browser back here. A web login gets its session
 * cookie; a native login gets the page that asks the person before anything goes to the app's custom scheme.
 */
export const handler = httpHandler('none', async (event) => {
  let flow: LoginFlow = 'web';
  try {
    const login = await completeLogin(
      { rawQueryString: event.rawQueryString ?? '', stateCookie: readCookie(event, LOGIN_STATE_COOKIE, config.publicUrl) },
      config,
      (known) => (flow = known),
    );
    const response = await handOver(login);
    countMetric(MetricName.LoginSucceeded, { flow });
    logger.info('login succeeded', { flow, session: login.session.record.id });
    return response;
  } catch (error) {
    countMetric(MetricName.LoginFailed, { flow });
    throw error;
  }
});

async function handOver({ flow, session, clearStateCookie }: CompletedLogin): Promise<HttpResult> {
  if (flow.flow !== 'native') {
    const response = redirectResponse(flow.returnTo, [sessionCookie(session.token, config), clearStateCookie]);
    return flow.flow === 'addin' ? keepingOpener(response) : response;
  }
  const confirmation = await offerNativeContinuation(session, flow, config);
  const page = nativeConfirmationPage(confirmation, `${config.publicUrl}${NATIVE_CONTINUE_PATH}`);
  return { ...page, cookies: [confirmation.bindingCookie, clearStateCookie] };
}
