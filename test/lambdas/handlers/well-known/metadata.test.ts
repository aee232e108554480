import { httpEvent } from '../../../support/api-event';
import { type Integration, invoke, jsonBody, startIntegration } from '../../../support/integration';

let integration: Integration;

beforeAll(async () => {
  integration = await startIntegration({
    API_AUDIENCES: JSON.stringify({
      'https://api.product.example': ['profile:read'],
      'https://api.notes.example': { scopes: ['notes:read'], backchannel_logout_uri: 'https://api.notes.example/logout' },
    }),
  });
});
afterAll(() => integration?.guichet.close());

describe('discovery documents', () => {
  const paths = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];
  it.each(paths)('publishes RFC 8414 metadata for the token endpoint at %s', async (path) => {
    const { handler } = await import('../../../../lambdas/handlers/well-known/authorization-server');
    const result = await invoke(handler, httpEvent({ path }));
    const base = integration.guichet.publicUrl;
    expect(result.statusCode).toBe(200);
    expect(jsonBody(result)).toMatchObject({
      issuer: base,
      token_endpoint: `${base}/oauth/token`,
      jwks_uri: `${base}/.well-known/jwks.json`,
      grant_types_supported: ['client_credentials', 'urn:ietf:params:oauth:grant-type:token-exchange'],
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'],
      token_endpoint_auth_signing_alg_values_supported: [
        'RS256',
        'RS384',
        'RS512',
        'PS256',
        'PS384',
        'PS512',
        'ES256',
        'ES384',
        'ES512',
        'EdDSA',
        'Ed25519',
      ],
      token_exchange_subject_token_types_supported: ['urn:guichet:token-type:session'],
      token_exchange_issued_token_types_supported: ['urn:ietf:params:oauth:token-type:access_token'],
      user_token_endpoint: `${base}/auth/token`,
      // The scopes only: where product backends receive logouts is not for the world to read.
      user_token_audiences: { 'https://api.product.example': ['profile:read'], 'https://api.notes.example': ['notes:read'] },
      backchannel_logout_supported: true,
      backchannel_logout_session_supported: true,
    });
    expect(JSON.stringify(jsonBody(result))).not.toContain('/logout');
    expect(result.headers!['Cache-Control']).toBe('public, max-age=3600');
  });

  it('publishes the public signing keys only, cacheable', async () => {
    const { handler } = await import('../../../../lambdas/handlers/well-known/jwks');
    const result = await invoke(handler, httpEvent({ path: '/.well-known/jwks.json' }));
    expect(result.statusCode).toBe(200);
    expect(result.headers!['Cache-Control']).toBe('public, max-age=300');
    expect(result.headers!.Pragma).toBeUndefined();
    const { keys } = jsonBody(result) as { keys: Record<string, unknown>[] };
    // The current key and the next one, published ahead of the rotation that makes it sign.
    expect(keys).toHaveLength(2);
    for (const key of keys) {
      expect(key).toEqual({ kty: 'RSA', n: expect.any(String), e: 'AQAB', kid: expect.any(String), alg: 'RS256', use: 'sig' });
    }
  });
});
