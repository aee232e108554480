import { readFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Playground, serveAppOrigin } from '../../local/playground/playground';
import { ADDIN_CLIENT_FILE } from '../support/addin-page';

/**
 * The local playground is a developer's tool on loopback, and a developer's machine is a target too: its helpers
 * answer only its own host (a site rebound to 127.0.0.1 must not create applications with them).
 */
let server: Server;
let app: Server;
let port: number;
let appPort: number;
const runApps = jest.fn(async () => ({ code: 0, stdout: '{"client_id":"app_x","client_secret":"s"}', stderr: '' }));

beforeAll(async () => {
  server = createServer();
  app = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
  appPort = (app.address() as AddressInfo).port;
  const publicUrl = `http://127.0.0.1:${port}`;
  const playground = new Playground({
    publicUrl,
    issuer: 'http://127.0.0.1:1',
    appOrigin: `http://127.0.0.1:${appPort}`,
    nativeAppScheme: 'visio',
    runApps,
  });
  server.on('request', (req, res) => playground.serve(req, res) || res.writeHead(404).end());
  app.on('request', serveAppOrigin(publicUrl, `http://127.0.0.1:${appPort}`));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await new Promise<void>((resolve) => app.close(() => resolve()));
});

/** A raw request with a Host header of our choosing, as a browser sends it after a DNS rebinding. */
function send(
  target: number,
  method: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port: target, method, path, headers }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, location: response.headers.location, body }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

describe('the local playground', () => {
  it('refuses a rebound Host, even with a matching Origin, and creates no application', async () => {
    const rebound = `rebind.evil.example:${port}`;
    const answer = await send(port, 'POST', '/playground/apps', {
      host: rebound,
      origin: `http://${rebound}`,
      'sec-fetch-site': 'same-origin',
    });
    expect(answer.status).toBe(421);
    expect(JSON.parse(answer.body)).toEqual({
      error: 'misdirected_request',
      error_description: `the local playground answers on 127.0.0.1:${port} only`,
    });
    expect(runApps).not.toHaveBeenCalled();
  });

  it('sends localhost to 127.0.0.1, where its cookies live', async () => {
    const answer = await send(port, 'GET', '/?x=1', { host: `localhost:${port}` });
    expect(answer.status).toBe(308);
    expect(answer.location).toBe(`http://127.0.0.1:${port}/?x=1`);
  });

  it('answers its own host', async () => {
    const answer = await send(port, 'POST', '/playground/apps', { host: `127.0.0.1:${port}`, origin: `http://127.0.0.1:${port}` });
    expect(answer.status).toBe(201);
    expect(runApps).toHaveBeenLastCalledWith(['create', '--name', 'Playground demo', '--scopes', 'demo:read', '--json']);
  });

  it('serves the app origin under its own host only, framed by the playground only, calling guichet only', async () => {
    expect((await send(appPort, 'GET', '/', { host: `rebind.evil.example:${appPort}` })).status).toBe(421);
    const page = await fetch(`http://127.0.0.1:${appPort}/`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`frame-ancestors http://127.0.0.1:${port}`);
    expect(csp).toContain(`connect-src 'self' http://127.0.0.1:${port}`);
    expect(await (await fetch(`http://127.0.0.1:${appPort}/config.json`)).json()).toEqual({ guichet: `http://127.0.0.1:${port}` });
  });

  it("serves guichet's add-in client to the app origin's add-in as the repository holds it", async () => {
    const client = await fetch(`http://127.0.0.1:${appPort}/guichet-addin.js`);
    expect(client.status).toBe(200);
    expect(client.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(await client.text()).toBe(readFileSync(ADDIN_CLIENT_FILE, 'utf8'));
  });
});
