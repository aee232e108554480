import { sessionExchange } from '../../domain/session-exchange';
import { appConfig } from '../../shared/config';
import { jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { nowSeconds } from '../../shared/time';

const exchange = sessionExchange(appConfig());

/** POST /auth/session-exchange {"code", "code_verifier"} — a native app redeems its one-time code. */
export const handler = httpHandler('json', async (event) => {
  const { token, session } = await exchange(event.jsonBody, event.requestContext.http.sourceIp);
  return jsonResponse(200, {
    session_token: token,
    token_type: 'Bearer',
    expires_in: session.expiresAt - nowSeconds(),
    user: { sub: session.sub, email: session.email ?? null, name: session.name ?? null },
  });
});
