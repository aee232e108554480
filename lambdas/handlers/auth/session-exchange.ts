import { sessionExchange } from '../../domain/session-exchange';
import { appConfig, browserOrigins } from '../../shared/config';
import { jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { knownOriginsOnly } from '../../shared/middleware/known-origins';
import { nowSeconds } from '../../shared/time';

const config = appConfig();
const exchange = sessionExchange(config);

/**
 * POST /auth/session-exchange {"code", "code_verifier"} — a native app redeems its one-time code. Pages of other
 * sites are refused before they can spend the failure budget of their visitor's address.
 */
export const handler = httpHandler(
  'json',
  async (event) => {
    const { token, session } = await exchange(event.jsonBody, event.requestContext.http.sourceIp);
    return jsonResponse(200, {
      session_token: token,
      token_type: 'Bearer',
      expires_in: session.expiresAt - nowSeconds(),
      user: { sub: session.sub, email: session.email ?? null, name: session.name ?? null },
    });
  },
  [knownOriginsOnly(browserOrigins(config))],
);
