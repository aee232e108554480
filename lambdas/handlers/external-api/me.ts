import { accessTokenVerifier, InvalidAccessToken } from '../../shared/access-token-verifier';
import { appConfig } from '../../shared/config';
import { markDependency } from '../../shared/dependencies';
import { InvalidToken } from '../../shared/errors';
import { header, jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { SIGNING_ALGORITHMS } from '../../shared/signing-algorithms';
import { tracedFetch } from '../../shared/tracing';

const config = appConfig();
// The public JWKS, not the key secret: a verifier has no business holding private keys.
const verify = accessTokenVerifier({
  issuer: config.publicUrl,
  audience: config.accessTokenAudience,
  jwksCacheSeconds: config.signingKeysCacheSeconds,
  algorithms: SIGNING_ALGORITHMS,
  fetch: tracedFetch('jwks'),
});

/**
 * GET /external-api/v1.0/me — an example API protected by guichet's access tokens: issuer, audience,
 * `typ: at+jwt`, pinned algorithms, expiry and a scope are all required.
 */
export const handler = httpHandler('none', async (event) => {
  const token = await verify(header(event, 'authorization')).catch((error: unknown) => {
    throw error instanceof InvalidAccessToken ? new InvalidToken(error.message) : markDependency(error, 'jwks');
  });
  return jsonResponse(200, { sub: token.sub, client_id: token.clientId, scope: token.scopes.join(' '), email: token.email ?? null });
});
