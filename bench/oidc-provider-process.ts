import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import { announceReady, serveParent } from './child-process';

/** What the parent needs to call the baseline's token endpoint. */
export interface OidcProviderReady {
  readonly tokenEndpoint: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly scope: string;
}

const CLIENT_ID = 'bench-m2m';
const SCOPE = 'calendar:read';
const AUDIENCE = 'https://api.bench.test';

/**
 * Child process: panva's oidc-provider with its own client-credentials grant, as guichet's baseline. One
 * confidential client (client_secret_basic); resource indicators with a default resource make it answer RFC 9068
 * JWT access tokens signed RS256, like guichet's, rather than opaque ones it would store.
 */
async function main(): Promise<void> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientSecret = randomBytes(32).toString('base64url');
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });

  const { default: Provider } = await import('oidc-provider');
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: clientSecret,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_basic',
        scope: SCOPE,
      },
    ],
    scopes: [SCOPE],
    jwks: { keys: [{ ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: 'bench' }] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => AUDIENCE,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: SCOPE,
          audience: AUDIENCE,
          accessTokenTTL: 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  server.on('request', provider.callback());

  serveParent(() => new Promise((resolve) => server.close(() => resolve())));
  await announceReady({ tokenEndpoint: `${issuer}/token`, clientId: CLIENT_ID, clientSecret, scope: SCOPE } satisfies OidcProviderReady);
}

void main();
