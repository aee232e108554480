import { addinRateLimiter } from '../../domain/addin-open';
import { limitingFailures } from '../../domain/rate-limit';
import { liveSession } from '../../domain/sessions';
import type { SessionRecord } from '../../repositories/sessions';
import { appConfig, browserOrigins } from '../../shared/config';
import { isWellFormedSecret } from '../../shared/crypto';
import { InvalidRequest, Unauthenticated } from '../../shared/errors';
import type { HttpResult } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { knownOriginsOnly } from '../../shared/middleware/known-origins';
import { presentedSessionToken } from '../session-credentials';

const config = appConfig();
const limiter = addinRateLimiter(config);

/**
 * What the three requests of the login dialog's confirmation page share: a `transit_token` in a JSON body, a
 * caller on guichet's pages, and a failure budget per client address. `needsSession` asks for the web session of
 * the person confirming (its SameSite=Lax cookie is not sent cross-site).
 */
export function confirmationHandler<S extends boolean>(
  needsSession: S,
  handle: (transitToken: string, session: S extends true ? SessionRecord : undefined) => Promise<HttpResult>,
) {
  return httpHandler(
    'json',
    async (event) =>
      limitingFailures(limiter, event.requestContext.http.sourceIp, async () => {
        let session: SessionRecord | undefined;
        if (needsSession) {
          const token = presentedSessionToken(event, config);
          session = token === undefined ? undefined : await liveSession(token);
          if (!session) throw new Unauthenticated('log in first');
        }
        const transitToken = event.jsonBody.transit_token;
        if (typeof transitToken !== 'string' || !isWellFormedSecret(transitToken)) {
          throw new InvalidRequest('transit_token is missing or malformed');
        }
        return handle(transitToken, session as S extends true ? SessionRecord : undefined);
      }),
    [knownOriginsOnly(browserOrigins(config))],
  );
}
