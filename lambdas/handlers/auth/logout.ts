import * as oidc from 'openid-client';
import { webReturnTo } from '../../domain/return-to';
import { endSessionOfToken } from '../../domain/session-end';
import { appConfig, browserOrigins } from '../../shared/config';
import { queryParameter, redirectResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { knownOriginsOnly } from '../../shared/middleware/known-origins';
import { logger } from '../../shared/observability';
import { idpMetadata } from '../../shared/oidc';
import { clearedSessionCookie, presentedSessionToken } from '../session-credentials';

const config = appConfig();

/**
 * POST /auth/logout[?returnTo=URL] (or `returnTo` as a form field) — ends the session, clears the cookie
 * and sends the browser to the IdP's end-session endpoint when it has one, else to `returnTo`. A page of another
 * origin than guichet's own or a listed one is refused (403) before anything is ended: its form post would
 * clear the cookie on that navigation and leave the session alive. Browsers send `Origin` with every POST, form
 * posts included (Fetch standard, "append a request `Origin` header"); a request without one is an app's.
 */
export const handler = httpHandler(
  'optional-form',
  async (event) => {
    const returnTo = webReturnTo(event.form.get('returnTo') ?? queryParameter(event, 'returnTo'), config);
    const token = presentedSessionToken(event, config);
    const ended = token === undefined ? undefined : await endSessionOfToken(token);
    const cookies = [clearedSessionCookie(config)];
    if (!ended) return redirectResponse(returnTo, cookies);

    // The session is already ended here; an unreachable IdP must not turn the logout into an error page.
    const idp = await idpMetadata().catch((error: unknown) => {
      logger.warn('identity provider unreachable at logout', { error: error as Error });
      return undefined;
    });
    if (!idp?.serverMetadata().end_session_endpoint) return redirectResponse(returnTo, cookies);
    const endSessionUrl = oidc.buildEndSessionUrl(idp, {
      ...(ended.idToken ? { id_token_hint: ended.idToken } : {}),
      post_logout_redirect_uri: new URL(returnTo, `${config.publicUrl}/`).href,
    });
    return redirectResponse(endSessionUrl.href, cookies);
  },
  [knownOriginsOnly(browserOrigins(config))],
);
