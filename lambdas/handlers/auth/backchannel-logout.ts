import { endSessionsOf } from '../../domain/backchannel-logout';
import { LogoutTokenRejected, logoutTokenValidator, MAX_LOGOUT_TOKEN_BYTES } from '../../domain/logout-token';
import { appConfig } from '../../shared/config';
import { HttpError, InvalidRequest, PayloadTooLarge } from '../../shared/errors';
import type { HttpEvent } from '../../shared/http';
import { prepareAtInit } from '../../shared/init';
import { MetricName } from '../../shared/metric-names';
import { httpHandler } from '../../shared/middleware/http-handler';
import { textBody } from '../../shared/middleware/raw-body';
import { countMetric, logger } from '../../shared/observability';
import { idpMetadata } from '../../shared/oidc';

const config = appConfig();
let validator: Promise<ReturnType<typeof logoutTokenValidator>> | undefined;
const validatorOnce = () =>
  (validator ??= idpMetadata()
    .then((idp) => logoutTokenValidator(idp, config.oidcClientId))
    .catch((error: unknown) => {
      validator = undefined;
      throw error;
    }));
const validate = async (token: string) => (await validatorOnce())(token);
// The IdP's discovery and its key set (with Node's fetch, which loads on first use) are ready before the first token.
prepareAtInit(validatorOnce);

/**
 * POST /auth/backchannel-logout (logout_token=JWT) — the IdP ends sessions (OpenID Connect Back-Channel
 * Logout 1.0). 200 with an empty body once done; 400 for any token that does not pass, ending nothing.
 */
export const handler = httpHandler('none', async (event) => {
  try {
    const ended = await endSessionsOf(await validate(logoutToken(event)));
    countMetric(MetricName.LogoutTokenAccepted);
    logger.info('logout token accepted', { ended });
    return { statusCode: 200, body: '' };
  } catch (error) {
    if (!(error instanceof LogoutTokenRejected)) throw error;
    countMetric(MetricName.LogoutTokenRejected, { reason: error.reason });
    throw new InvalidRequest(error.message);
  }
});

/** The form's single `logout_token`; any other shape of request is a 400, as the specification asks. */
function logoutToken(event: HttpEvent): string {
  let text: string | undefined;
  try {
    text = textBody(event, 'application/x-www-form-urlencoded', MAX_LOGOUT_TOKEN_BYTES + 1024);
  } catch (error) {
    if (error instanceof HttpError) {
      throw new LogoutTokenRejected(error instanceof PayloadTooLarge ? 'too_large' : 'malformed', error.description);
    }
    throw error;
  }
  const tokens = new URLSearchParams(text ?? '').getAll('logout_token');
  if (tokens.length !== 1 || !tokens[0]) throw new LogoutTokenRejected('malformed', 'exactly one logout_token is required');
  return tokens[0];
}
