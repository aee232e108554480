import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

/**
 * A scriptable identity provider for validation tests: honest discovery and JWKS, a token endpoint that
 * answers whatever the test wants, and a signer for hand-made JWTs with any header and claims. It keeps the
 * requests it received, and can rotate its key as an IdP does: the new key is published beside the old one.
 */
export interface FakeIdp {
  readonly issuer: string;
  readonly publicJwk: JWK;
  /** The key the IdP publishes. */
  readonly key: CryptoKey;
  /** `METHOD /path` of every request received, oldest first; the test may empty it. */
  readonly requests: string[];
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>, key?: CryptoKey): Promise<string>;
  /** Publishes a new key (`kid` given) beside the others and signs with it from now on. */
  rotateKey(kid: string): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeIdp(tokenResponse: () => Promise<unknown> = async () => ({})): Promise<FakeIdp> {
  const signingKey = async (kid: string) => {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
  };
  const first = await signingKey('idp-key');
  const published = [first.publicJwk];
  let current = first;
  const requests: string[] = [];
  let issuer = '';
  const server: Server = createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    const send = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/.well-known/openid-configuration') {
      send({
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        id_token_signing_alg_values_supported: ['RS256', 'HS256', 'none'],
      });
    } else if (request.url === '/jwks') {
      send({ keys: published });
    } else if (request.url === '/token') {
      request.resume();
      request.on('end', () => void tokenResponse().then(send));
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    publicJwk: first.publicJwk,
    key: first.privateKey,
    requests,
    sign: (claims, header = {}, key) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: current.kid, ...header } as { alg: string }).sign(key ?? current.privateKey),
    rotateKey: async (kid) => {
      current = await signingKey(kid);
      published.push(current.publicJwk);
    },
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

/** An unsigned JWT (`alg: none`), which no verifier may accept. */
export function unsignedJwt(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode({ alg: 'none', ...header })}.${encode(claims)}.`;
}
