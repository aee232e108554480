import { ACCESS_TOKEN_TYPE, SESSION_TOKEN_TYPE, TOKEN_EXCHANGE_GRANT } from '../../domain/token-types';
import { appConfig } from '../../shared/config';
import { jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { ASYMMETRIC_ALGORITHMS, SIGNING_ALGORITHMS } from '../../shared/signing-algorithms';

const { publicUrl, apiAudiences } = appConfig();

/**
 * RFC 8414 metadata of guichet as the authorization server of the access tokens it mints. The token exchange
 * fields after the registered ones are guichet's: what a session can be exchanged for, and where.
 */
const metadata = {
  issuer: publicUrl,
  token_endpoint: `${publicUrl}/oauth/token`,
  jwks_uri: `${publicUrl}/.well-known/jwks.json`,
  grant_types_supported: ['client_credentials', TOKEN_EXCHANGE_GRANT],
  // `none`: the token exchange of a native app's session token takes no client authentication.
  token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
  token_endpoint_auth_signing_alg_values_supported: [...ASYMMETRIC_ALGORITHMS],
  // guichet has no authorization endpoint of its own: it mints tokens only at the token endpoint.
  response_types_supported: [],
  id_token_signing_alg_values_supported: [...SIGNING_ALGORITHMS],
  token_exchange_subject_token_types_supported: [SESSION_TOKEN_TYPE],
  token_exchange_issued_token_types_supported: [ACCESS_TOKEN_TYPE],
  user_token_endpoint: `${publicUrl}/auth/token`,
  user_token_audiences: apiAudiences,
  // guichet as the OpenID provider of product backends: it posts logout tokens, with `sid`, to the endpoints
  // registered in API_AUDIENCES (OpenID Connect Back-Channel Logout 1.0 §2.1).
  backchannel_logout_supported: true,
  backchannel_logout_session_supported: true,
};

/**
 * GET /.well-known/oauth-authorization-server and /.well-known/openid-configuration — the same document:
 * API Gateway's JWT authorizer finds the JWKS through the latter.
 */
export const handler = httpHandler('none', async () => jsonResponse(200, metadata, { 'Cache-Control': 'public, max-age=3600' }));
