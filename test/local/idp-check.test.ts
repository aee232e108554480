import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkIdentityProvider } from '../../local/idp-check';

/** What `npm start` says, before serving anything, of an IdP it cannot use. */
let server: Server;
let issuer: string;
let answer: (issuer: string) => [number, string] = () => [200, '{}'];

beforeAll(async () => {
  server = createServer((_, response) => {
    const [status, body] = answer(issuer);
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const discovery = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify({ issuer, authorization_endpoint: `${issuer}/a`, token_endpoint: `${issuer}/t`, jwks_uri: `${issuer}/k`, ...overrides });

describe('checkIdentityProvider', () => {
  it('accepts an IdP whose discovery document names it and its endpoints', async () => {
    answer = () => [200, discovery()];
    await expect(checkIdentityProvider(issuer)).resolves.toBeUndefined();
  });

  it('names an unreachable IdP, the cause, and what to do', async () => {
    const closed = await new Promise<string>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const { port } = probe.address() as AddressInfo;
        probe.close(() => resolve(`http://127.0.0.1:${port}`));
      });
    });
    await expect(checkIdentityProvider(closed)).rejects.toThrow(
      `the identity provider OIDC_ISSUER names (${closed}) cannot be used: ${closed}/.well-known/openid-configuration could not be reached (ECONNREFUSED). Check OIDC_ISSUER, or unset it to use the development IdP.`,
    );
  });

  it.each([
    ['an error status', () => [503, '{}'] as [number, string], 'answered 503'],
    ['something else than JSON', () => [200, '<html>'] as [number, string], 'is not a JSON discovery document'],
    [
      'another issuer',
      () => [200, discovery({ issuer: 'https://elsewhere.example' })] as [number, string],
      'names the issuer "https://elsewhere.example"',
    ],
    [
      'no token endpoint nor keys',
      () => [200, discovery({ token_endpoint: undefined, jwks_uri: undefined })] as [number, string],
      'has no token_endpoint, jwks_uri',
    ],
  ])('refuses an IdP that answers %s', async (_, answers, problem) => {
    answer = answers;
    await expect(checkIdentityProvider(issuer)).rejects.toThrow(problem);
  });
});
