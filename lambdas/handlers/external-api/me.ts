import { createRemoteJWKSet, customFetch, errors, jwtVerify } from 'jose';
import { appConfig } from '../../shared/config';
import { markDependency } from '../../shared/dependencies';
import { InvalidToken } from '../../shared/errors';
import { header, jsonResponse } from '../../shared/http';
import { httpHandler } from '../../shared/middleware/http-handler';
import { SIGNING_ALGORITHMS } from '../../shared/signing-algorithms';
import { tracedFetch } from '../../shared/tracing';

const config = appConfig();
// The public JWKS, not the key secret: a verifier has no business holding private keys.
const jwks = createRemoteJWKSet(new URL(`${config.publicUrl}/.well-known/jwks.json`), {
  cacheMaxAge: config.signingKeysCacheSeconds * 1000,
  [customFetch]: tracedFetch('jwks'),
});

/**
 * GET /external-api/v1.0/me — an example API protected by guichet's access tokens: issuer, audience,
 * `typ: at+jwt`, pinned algorithms, expiry and a scope are all required.
 */
export const handler = httpHandler('none', async (event) => {
  const token = header(event, 'authorization')?.match(/^Bearer\s+(\S+)$/i)?.[1];
  if (!token) throw new InvalidToken('a Bearer access token is required');
  let payload;
  try {
    ({ payload } = await jwtVerify(token, jwks, {
      issuer: config.publicUrl,
      audience: config.accessTokenAudience,
      typ: 'at+jwt',
      algorithms: [...SIGNING_ALGORITHMS],
      requiredClaims: ['sub', 'client_id', 'scope', 'exp', 'iat', 'jti'],
    }));
  } catch (error) {
    if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid || !(error instanceof errors.JOSEError)) {
      throw markDependency(error, 'jwks');
    }
    throw new InvalidToken('the access token is invalid or expired');
  }
  if (typeof payload.scope !== 'string' || payload.scope.trim() === '') throw new InvalidToken('the access token has no scope');
  return jsonResponse(200, { sub: payload.sub, client_id: payload.client_id, scope: payload.scope, email: payload.email ?? null });
});
