import { authenticateClient, type ClientLookup, lookUpClient } from '../../domain/client-authentication';
import { grantClientCredentials } from '../../domain/client-credentials';
import { limitingFailures, tokenFailureLimiter } from '../../domain/rate-limit';
import { tokenExchangeRequest } from '../../domain/token-exchange';
import { TOKEN_EXCHANGE_GRANT } from '../../domain/token-types';
import { userTokenFor, userTokenResponse } from '../../domain/user-tokens';
import { appConfig, browserOrigins } from '../../shared/config';
import { InvalidClient, InvalidRequest, UnsupportedGrantType } from '../../shared/errors';
import { type HttpResult, header, jsonResponse } from '../../shared/http';
import { MetricName } from '../../shared/metric-names';
import type { FormEvent } from '../../shared/middleware/form-body';
import { httpHandler } from '../../shared/middleware/http-handler';
import { knownOriginsOnly } from '../../shared/middleware/known-origins';
import { countMetric } from '../../shared/observability';
import { signingKeyStore } from '../../shared/signing-keys';

const config = appConfig();
const keys = signingKeyStore(config.signingKeysCacheSeconds);
const failures = tokenFailureLimiter(config);

/** RFC 6749 §4.4: an application's own access token, or one acting for a user of its delegated domains. */
async function clientCredentials(event: FormEvent, client: ClientLookup): Promise<HttpResult> {
  const application = await authenticateClient(client, config);
  const granted = await grantClientCredentials(application, event.form, keys.currentKey, config);
  return jsonResponse(200, { access_token: granted.token, token_type: 'Bearer', expires_in: granted.expiresIn, scope: granted.scope });
}

/** Every invalid_client the endpoint answers, whether the credentials did not parse or did not authenticate. */
function countFailure(error: unknown): never {
  if (error instanceof InvalidClient) countMetric(MetricName.ClientAuthenticationFailed);
  throw error;
}

/** RFC 8693: a guichet session token (a native app's) exchanged for a user token for one product API. */
async function tokenExchange(event: FormEvent): Promise<HttpResult> {
  const request = tokenExchangeRequest(event.form, header(event, 'authorization'));
  return jsonResponse(200, userTokenResponse(await userTokenFor(request.subjectToken, request, keys.currentKey, config)));
}

/** A grant, and the reads it starts with (which run alongside the failure budget's take). */
interface Grant {
  readonly lookup?: (event: FormEvent) => Promise<unknown>;
  readonly run: (event: FormEvent, looked: unknown) => Promise<HttpResult>;
}

function grant<L>(run: (event: FormEvent, looked: L) => Promise<HttpResult>, lookup?: (event: FormEvent) => Promise<L>): Grant {
  return { run: run as Grant['run'], lookup };
}

const GRANTS: Readonly<Record<string, Grant>> = {
  client_credentials: grant(clientCredentials, (event) => lookUpClient(header(event, 'authorization'), event.form)),
  [TOKEN_EXCHANGE_GRANT]: grant(tokenExchange),
};

/**
 * POST /oauth/token — the client-credentials grant (RFC 6749 §4.4) and token exchange (RFC 8693), answering RFC
 * 9068 access tokens; failures of either spend the address's budget. A form posted by a page of another site is
 * refused before it can spend the failure budget of its visitor's address. The application is read while the
 * budget's unit is taken: a client-credentials success makes two storage round trips in a row (a third for
 * private_key_jwt, whose `jti` is recorded once the assertion verified), not three.
 */
export const handler = httpHandler(
  'form',
  async (event) => {
    const grantType = event.form.get('grant_type');
    const grant = grantType !== undefined && Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
    return limitingFailures(
      failures,
      event.requestContext.http.sourceIp,
      async (looked) => {
        if (!grantType) throw new InvalidRequest('grant_type is required');
        if (!grant) throw new UnsupportedGrantType(`supported grant types: ${Object.keys(GRANTS).join(', ')}`);
        return grant.run(event, looked);
      },
      grant?.lookup && (() => grant.lookup!(event)),
    ).catch(countFailure);
  },
  [knownOriginsOnly(browserOrigins(config))],
);
