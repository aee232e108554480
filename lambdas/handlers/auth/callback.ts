import { NATIVE_CONTINUATION_TTL_SECONDS, NATIVE_CONTINUE_PATH, offerNativeContinuation } from '../../domain/native-login';
import { sharedIdpDocuments } from '../../domain/shared-idp-documents';
import { type CompletedLogin, completeLogin } from '../../domain/web-login';
import { nativeConfirmationPage } from '../../pages/native-confirmation';
import { appConfig } from '../../shared/config';
import { clearCookie, LOGIN_STATE_COOKIE, NATIVE_BINDING_COOKIE, readCookie, setCookie } from '../../shared/cookies';
import { type HttpResult, redirectResponse } from '../../shared/http';
import { prepareAtInit } from '../../shared/init';
import { type LoginFlow, MetricName } from '../../shared/metric-names';
import { httpHandler } from '../../shared/middleware/http-handler';
import { countMetric, logger } from '../../shared/observability';
import { keepingOpener } from '../addin-paths';
import { sessionCookie } from '../session-credentials';

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

async function handOver({ flow, session }: CompletedLogin): Promise<HttpResult> {
  const clearStateCookie = clearCookie(LOGIN_STATE_COOKIE, config.publicUrl);
  if (flow.flow !== 'native') {
    const response = redirectResponse(flow.returnTo, [sessionCookie(session.token, config), clearStateCookie]);
    return flow.flow === 'addin' ? keepingOpener(response) : response;
  }
  const confirmation = await offerNativeContinuation(session, flow);
  const page = nativeConfirmationPage(confirmation, `${config.publicUrl}${NATIVE_CONTINUE_PATH}`);
  const bindingCookie = setCookie(NATIVE_BINDING_COOKIE, confirmation.binding, NATIVE_CONTINUATION_TTL_SECONDS, config.publicUrl);
  return { ...page, cookies: [bindingCookie, clearStateCookie] };
}
