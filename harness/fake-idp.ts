import { createSign, KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/**
 * A scriptable identity provider for validation tests: honest discovery and JWKS, a token endpoint that
 * answers whatever the test wants, and a signer for hand-made JWTs with any header and claims. It keeps the
 * requests it received, and can rotate its keys as an IdP does: a new key published beside the old one.
 */
export interface FakeIdp {
  readonly issuer: string;
  readonly publicJwk: JWK;
  /** The key the IdP publishes. */
  readonly key: CryptoKey;
  /** `METHOD /path` of every request received, oldest first; the test may empty it. */
  readonly requests: string[];
  /** Publishes a new key with this `kid` beside the others; returns it, for `sign` with `{ kid }`. */
  rotateKey(kid: string): Promise<CryptoKey>;
  sign(claims: Record<string, unknown>, header?: Record<string, unknown>, key?: CryptoKey): Promise<string>;
  /** Signs (RS256, with the published key) whatever header it is given, even one jose would refuse to write. */
  signAnyHeader(header: Record<string, unknown>, claims: Record<string, unknown>): string;
  /** From now on, every answer leaves this long after its request came: an IdP that far away. */
  answerAfter(ms: number): void;
  close(): Promise<void>;
}

export async function startFakeIdp(tokenResponse: () => Promise<unknown> = async () => ({})): Promise<FakeIdp> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'idp-key', alg: 'RS256', use: 'sig' };
  const published: JWK[] = [publicJwk];
  const requests: string[] = [];
  let issuer = '';
  let delayMs = 0;
  const server: Server = createServer((request, response) =>
    delayMs > 0 ? setTimeout(answer, delayMs, request, response) : answer(request, response),
  );
  const answer = (request: IncomingMessage, response: ServerResponse) => {
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
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  server.on('request', (request) => requests.push(`${request.method} ${request.url}`));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    publicJwk,
    key: privateKey,
    requests,
    rotateKey: async (kid) => {
      const next = await generateKeyPair('RS256', { extractable: true });
      published.push({ ...(await exportJWK(next.publicKey)), kid, alg: 'RS256', use: 'sig' });
      return next.privateKey;
    },
    sign: (claims, header = {}, key = privateKey) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'idp-key', ...header } as { alg: string }).sign(key),
    signAnyHeader: (header, claims) => {
      const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const signed = `${encode({ alg: 'RS256', kid: 'idp-key', ...header })}.${encode(claims)}`;
      const signature = createSign('RSA-SHA256').update(signed).sign(KeyObject.from(privateKey));
      return `${signed}.${signature.toString('base64url')}`;
    },
    answerAfter: (ms) => {
      delayMs = ms;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An unsigned JWT (`alg: none`), which no verifier may accept. */
export function unsignedJwt(header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  return `${encode({ alg: 'none', ...header })}.${encode(claims)}.`;
}
