import { createServer } from 'node:net';
import { startTestGuichet } from '../support/local-guichet';

/**
 * A readiness probe that polls the instant the port opens must never break the server: until every part is
 * ready the API answers 503 with Retry-After, then every route works. (With one process loading handler modules
 * on first use, an early request once cached a failed import and left every route answering 500.)
 */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('starting local mode', () => {
  it('answers 503 with Retry-After until ready, then every flow works: an early request breaks nothing', async () => {
    const port = await freePort();
    const starting = startTestGuichet({ PORT: String(port) });
    let ready = false;
    void starting.then(
      () => (ready = true),
      () => (ready = true),
    );

    const early: { status: number; retryAfter: string | null; body: unknown }[] = [];
    while (!ready) {
      const answer = await fetch(`http://127.0.0.1:${port}/auth/session`).catch(() => undefined);
      if (answer && !ready) early.push({ status: answer.status, retryAfter: answer.headers.get('retry-after'), body: await answer.json() });
      else await answer?.arrayBuffer();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const guichet = await starting;
    try {
      expect(early.length).toBeGreaterThan(0);
      for (const answer of early) expect(answer).toEqual({ status: 503, retryAfter: '1', body: { message: 'Service Unavailable' } });

      expect((await fetch(`${guichet.publicUrl}/auth/session`)).status).toBe(401);
      expect((await fetch(`${guichet.publicUrl}/auth/login`, { redirect: 'manual' })).status).toBe(302);
      expect((await fetch(`${guichet.publicUrl}/.well-known/jwks.json`)).status).toBe(200);
    } finally {
      await guichet.close();
    }
  });

  it('names the setting of a port already in use, and leaves nothing running', async () => {
    const busy = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => busy.once('listening', resolve));
    const { port } = busy.address() as { port: number };
    try {
      await expect(startTestGuichet({ DYNAMODB_PORT: String(port) })).rejects.toThrow(
        `port ${port} (DYNAMODB_PORT) is in use: free it or set DYNAMODB_PORT to another port`,
      );
    } finally {
      busy.close();
    }
  });

  it('refuses to start, saying why, when the IdP OIDC_ISSUER names cannot be reached, and frees its ports', async () => {
    const [port, closedIdp] = [await freePort(), await freePort()];
    await expect(
      startTestGuichet({ PORT: String(port), OIDC_ISSUER: `http://127.0.0.1:${closedIdp}`, OIDC_CLIENT_ID: 'guichet' }),
    ).rejects.toThrow(
      /OIDC_ISSUER names \(http:\/\/127\.0\.0\.1:\d+\) cannot be used: .* could not be reached \(ECONNREFUSED\)\. Check OIDC_ISSUER/,
    );
    const rebound = createServer().listen(port, '127.0.0.1');
    await new Promise((resolve, reject) => rebound.once('listening', resolve).once('error', reject));
    rebound.close();
  });
});
