import { authenticateClient, presentedClient } from '../../domain/client-authentication';
import { grantClientCredentials, requireClientCredentialsGrant } from '../../domain/client-credentials';
import { limitingFailures, rateLimiter } from '../../domain/rate-limit';
import { appConfig, browserOrigins } from '../../shared/config';
import { InvalidClient } from '../../shared/errors';
import { header, jsonResponse } from '../../shared/http';
import { MetricName } from '../../shared/metric-names';
import { httpHandler } from '../../shared/middleware/http-handler';
import { knownOriginsOnly } from '../../shared/middleware/known-origins';
import { countMetric } from '../../shared/observability';
import { signingKeyStore } from '../../shared/signing-keys';

const config = appConfig();
const keys = signingKeyStore(config.signingKeysCacheSeconds);
const failures = rateLimiter({
  purpose: 'token-failures',
  limit: config.tokenFailureLimit,
  windowSeconds: config.tokenFailureWindowSeconds,
  refusal: 'too many failed token requests from this address; retry later',
});

/**
 * POST /oauth/token — the client-credentials grant (RFC 6749 §4.4), answering RFC 9068 access tokens. A form
 * posted by a page of another site is refused before it can spend the failure budget of its visitor's address.
 */
export const handler = httpHandler(
  'form',
  async (event) =>
    limitingFailures(failures, event.requestContext.http.sourceIp, async () => {
      requireClientCredentialsGrant(event.form);
      const application = await authenticateClient(presentedClient(header(event, 'authorization'), event.form)).catch(
        (error: unknown) => {
          if (error instanceof InvalidClient) countMetric(MetricName.ClientAuthenticationFailed);
          throw error;
        },
      );
      const granted = await grantClientCredentials(application, event.form, keys.currentKey, config);
      return jsonResponse(200, {
        access_token: granted.token,
        token_type: 'Bearer',
        expires_in: granted.expiresIn,
        scope: granted.scope,
      });
    }),
  [knownOriginsOnly(browserOrigins(config))],
);
